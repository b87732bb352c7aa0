import ArgumentParser
import Foundation
import StarMockScenario

extension StarMockCommand {
    /// `starmock check FILE…`: read scenario files and report every one that is wrong.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check scenario files without serving them.",
            discussion: """
                Prints "FILE: ok (NAME)" for each good file and "FILE:LINE:COL: MESSAGE" on stderr \
                for each bad one. A directory is searched (recursively) for *.yaml and *.yml files. \
                Exits 1 if any file is bad or a path names nothing to check, 0 otherwise.
                """)

        @Argument(help: ArgumentHelp("Scenario files or directories.", valueName: "path"))
        var paths: [String]

        func validate() throws {
            guard !paths.isEmpty else { throw ValidationError("Name at least one scenario file or directory.") }
        }

        func run() throws {
            var bad = 0
            for path in paths {
                let files: [String]
                switch ScenarioFiles.expand(path) {
                case .success(let found): files = found
                case .failure(let problem):
                    FileHandle.standardError.write(Data("\(path): \(problem.message)\n".utf8))
                    bad += 1
                    continue
                }
                for file in files {
                    do {
                        let scenario = try Scenario.load(path: file)
                        FileHandle.standardOutput.write(Data("\(file): ok (\(scenario.name))\n".utf8))
                    } catch {
                        FileHandle.standardError.write(Data("\(error)\n".utf8))
                        bad += 1
                    }
                }
            }
            if bad > 0 { throw ExitCode(1) }
        }
    }
}

/// The scenario files a path names: itself, or the *.yaml and *.yml files under a directory.
enum ScenarioFiles {
    struct Problem: Error { let message: String }

    static func expand(_ path: String) -> Result<[String], Problem> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(Problem(message: "no such file or directory"))
        }
        guard isDirectory.boolValue else { return .success([path]) }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else {
            return .failure(Problem(message: "cannot read the directory"))
        }
        var files: [String] = []
        for case let relative as String in enumerator where relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") {
            files.append(path.hasSuffix("/") ? path + relative : path + "/" + relative)
        }
        guard !files.isEmpty else { return .failure(Problem(message: "no *.yaml or *.yml scenario files here")) }
        return .success(files.sorted())
    }
}

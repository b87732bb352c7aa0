import ArgumentParser
import Foundation
import StarMockDialects
import StarMockHAR
import StarMockServer

extension StarMockCommand {
    /// `starmock record --upstream URL --out FILE.har`: a recording proxy.
    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
            abstract: "Record a real upstream through a proxy, as HAR 1.2 with the credentials redacted.",
            discussion: """
                Point your client at the proxy instead of the upstream. Each request is forwarded to \
                --upstream (http or https) and its answer returned unchanged; a transport failure \
                reaches the client as it came (a reset as a reset, an empty reply as a closed \
                connection). When ready it prints exactly one line, "starmock listening on \
                http://HOST:PORT". SIGINT or SIGTERM write --out and exit 0. X-API-Key, Authorization, \
                bot tokens in /bot<TOKEN>/ paths, and the same strings anywhere in URLs, headers and \
                bodies, are replaced by stable placeholders (one key, one placeholder). Then: \
                starmock scenario from FILE.har.
                """)

        @Option(help: ArgumentHelp("The real upstream's base URL, e.g. https://api.example.com.", valueName: "url"))
        var upstream: String

        @Option(help: "The address to bind.")
        var host = "127.0.0.1"

        @Option(help: "The port to bind; 0 picks a free port.")
        var port = 8080

        @Option(help: ArgumentHelp("The upstream's dialect, noted in the file for `scenario from`.", valueName: "name"))
        var dialect: String?

        @Option(help: ArgumentHelp("The HAR file to write.", valueName: "file"))
        var out: String

        @Option(help: ArgumentHelp("How long one upstream answer may take.", valueName: "seconds"))
        var timeout: Double = 300

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535, not \(port)") }
            guard !out.isEmpty else { throw ValidationError("--out must name a file") }
            if let dialect, DialectSet(named: [dialect]) == nil {
                throw ValidationError("Unknown dialect '\(dialect)'; known: \(DialectSet.allNames.joined(separator: ", "))")
            }
            guard let url = URL(string: upstream), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
                throw ValidationError("--upstream must be an http:// or https:// URL with a host, not '\(upstream)'")
            }
            guard timeout > 0, timeout <= 86_400 else { throw ValidationError("--timeout must be 0 to 86400 seconds") }
        }

        func run() async throws {
            // Fail now rather than after the session: the file must be writable.
            let directory = URL(fileURLWithPath: out).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
                FileManager.default.isWritableFile(atPath: directory)
            else {
                FileHandle.standardError.write(Data("starmock record: cannot write \(out): no writable directory \(directory)\n".utf8))
                throw ExitCode(1)
            }
            let proxy: RecordingProxy
            do {
                proxy = try await RecordingProxy.start(
                    .init(upstream: upstream, host: host, port: port, dialect: dialect, upstreamTimeout: timeout))
            } catch let error as RecordingProxy.ConfigurationError {
                // libcurl missing: said before listening, in one line.
                FileHandle.standardError.write(Data("starmock record: \(error)\n".utf8))
                throw ExitCode(1)
            } catch {
                FileHandle.standardError.write(Data("starmock record: cannot listen on \(host):\(port): \(error)\n".utf8))
                throw ExitCode(1)
            }
            let stopped = AsyncStream<Void>.makeStream()
            let signals = ShutdownSignals { stopped.continuation.yield() }
            FileHandle.standardOutput.write(Data("starmock listening on \(proxy.baseURL)\n".utf8))
            for await _ in stopped.stream { break }
            await proxy.shutdown()
            withExtendedLifetime(signals) {}
            do {
                try proxy.write(to: out)
            } catch {
                FileHandle.standardError.write(Data("starmock record: cannot write \(out): \(error.localizedDescription)\n".utf8))
                throw ExitCode(1)
            }
            FileHandle.standardError.write(Data("starmock record: \(proxy.har().entries.count) exchanges written to \(out)\n".utf8))
        }
    }
}

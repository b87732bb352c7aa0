#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import Dispatch
import Foundation

/// How one client run ended.
public struct ClientRun: Sendable, Equatable {
    /// The exit code, when the process exited.
    public var exitCode: Int32?
    /// The signal that ended it, when one did.
    public var signal: Int32?
    /// Whether the runner killed it at the timeout.
    public var timedOut: Bool
    /// Its stdout, up to the capture limit.
    public var stdout: [UInt8]
    /// Whether stdout went past the capture limit.
    public var stdoutTruncated: Bool
    /// The end of its stderr.
    public var stderrTail: [UInt8]
    /// How many bytes it wrote on stderr in all.
    public var stderrBytes: Int
    /// Real time from spawn to reaping.
    public var duration: Duration
    /// Why it could not be started, when it could not.
    public var spawnError: String?

    /// A run's record.
    public init(
        exitCode: Int32?, signal: Int32?, timedOut: Bool, stdout: [UInt8], stdoutTruncated: Bool, stderrTail: [UInt8],
        stderrBytes: Int, duration: Duration, spawnError: String?
    ) {
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
        self.stdout = stdout
        self.stdoutTruncated = stdoutTruncated
        self.stderrTail = stderrTail
        self.stderrBytes = stderrBytes
        self.duration = duration
        self.spawnError = spawnError
    }

    /// `exit 3`, `signal 11 (SIGSEGV)`, `timeout`.
    public var statusText: String {
        if let spawnError { return "not started: \(spawnError)" }
        if timedOut { return "timeout" }
        if let signal { return "signal \(signal)\(ClientProcess.signalName(signal).map { " (\($0))" } ?? "")" }
        return "exit \(exitCode ?? -1)"
    }

    /// The last lines of stderr, as text (at most `lines` lines and `characters` characters).
    public func stderrText(lines: Int = 20, characters: Int = 4000) -> String {
        var text = String(decoding: stderrTail, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        var kept = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
        if kept.count > characters { kept = "…" + String(kept.suffix(characters)) }
        let cut = stderrBytes > stderrTail.count || kept.count < text.count
        return cut && !kept.hasPrefix("…") ? "…" + kept : kept
    }
}

/// Runs a client command: `/bin/sh -c COMMAND` in its own process group, stdout and stderr
/// captured (bounded), killed with its whole group at the timeout. The waiting happens on a
/// dedicated thread, never on the cooperative pool.
public enum ClientProcess {
    /// Limits of one run.
    public struct Limits: Sendable {
        /// The run's time limit.
        public var timeout: Duration
        /// Between SIGTERM and SIGKILL.
        public var killGrace: Duration
        /// Stdout kept (beyond it the run breaks the protocol).
        public var stdoutLimit: Int
        /// Stderr kept: its last bytes.
        public var stderrLimit: Int

        /// Limits; by default 1 s of grace, 1 MiB of stdout, the last 64 KiB of stderr.
        public init(
            timeout: Duration, killGrace: Duration = .seconds(1), stdoutLimit: Int = 1 << 20, stderrLimit: Int = 64 << 10
        ) {
            self.timeout = timeout
            self.killGrace = killGrace
            self.stdoutLimit = stdoutLimit
            self.stderrLimit = stderrLimit
        }
    }

    /// Runs `command` with exactly `environment` and returns how it ended.
    public static func run(command: String, environment: [String: String], limits: Limits) async -> ClientRun {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: runBlocking(command: command, environment: environment, limits: limits))
            }
            thread.name = "starmock-client"
            thread.start()
        }
    }

    /// `SIGSEGV` for 11, …
    public static func signalName(_ signal: Int32) -> String? {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
            SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV",
            SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGUSR1: "SIGUSR1", SIGUSR2: "SIGUSR2",
        ]
        return names[signal]
    }

    // MARK: The blocking part

    static func runBlocking(command: String, environment: [String: String], limits: Limits) -> ClientRun {
        var result = ClientRun(
            exitCode: nil, signal: nil, timedOut: false, stdout: [], stdoutTruncated: false, stderrTail: [],
            stderrBytes: 0, duration: .zero, spawnError: nil)
        let started = DispatchTime.now().uptimeNanoseconds
        func finished() -> ClientRun {
            var done = result
            done.duration = .nanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
            return done
        }

        guard let out = makePipe() else {
            result.spawnError = "pipe: \(String(cString: strerror(errno)))"
            return finished()
        }
        guard let err = makePipe() else {
            close(out.read)
            close(out.write)
            result.spawnError = "pipe: \(String(cString: strerror(errno)))"
            return finished()
        }

        let spawned = spawn(command: command, environment: environment, stdout: out.write, stderr: err.write)
        close(out.write)
        close(err.write)
        let pid: pid_t
        switch spawned {
        case .failure(let message):
            close(out.read)
            close(err.read)
            result.spawnError = message
            return finished()
        case .success(let p):
            pid = p
        }

        for fd in [out.read, err.read] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        var open: [Int32] = [out.read, err.read]
        let deadline = started + nanoseconds(limits.timeout)
        var killAt: UInt64?
        var exited = false
        var drainUntil: UInt64 = 0
        var buffer = [UInt8](repeating: 0, count: 64 << 10)

        func drain(_ fd: Int32) -> Bool {
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    let chunk = buffer[0..<n]
                    if fd == out.read {
                        let room = limits.stdoutLimit - result.stdout.count
                        if room >= n {
                            result.stdout.append(contentsOf: chunk)
                        } else {
                            result.stdout.append(contentsOf: chunk.prefix(max(0, room)))
                            result.stdoutTruncated = true
                        }
                    } else {
                        result.stderrBytes += n
                        result.stderrTail.append(contentsOf: chunk)
                        if result.stderrTail.count > limits.stderrLimit {
                            result.stderrTail.removeFirst(result.stderrTail.count - limits.stderrLimit)
                        }
                    }
                    continue
                }
                if n == 0 { return false }
                if errno == EINTR { continue }
                return errno == EAGAIN || errno == EWOULDBLOCK
            }
        }

        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            if !exited, hasExited(pid) {
                exited = true
                // Whatever the client left running in its group goes with it; the leader is
                // not reaped yet, so the group id cannot have been reused.
                kill(-pid, SIGKILL)
                drainUntil = now + 200_000_000
            }
            if exited && (open.isEmpty || now >= drainUntil) { break }
            if !exited {
                if now >= deadline && !result.timedOut {
                    result.timedOut = true
                    kill(-pid, SIGTERM)
                    killAt = now + nanoseconds(limits.killGrace)
                }
                if let at = killAt, now >= at {
                    kill(-pid, SIGKILL)
                    killAt = nil
                }
            }
            // Wake up for the next deadline; while the client runs, also every 50 ms in case
            // something it started keeps the pipes open after it exited.
            var wait: UInt64 = exited ? drainUntil - now : min(50_000_000, (killAt ?? deadline) > now ? (killAt ?? deadline) - now : 0)
            if result.timedOut && killAt == nil && !exited { wait = 5_000_000 }
            if open.isEmpty && !exited { wait = min(wait, 1_000_000) }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let timeoutMs = Int32(max(1, min(wait / 1_000_000, 1000)))
            let ready = fds.isEmpty ? poll(nil, 0, timeoutMs) : poll(&fds, nfds_t(fds.count), timeoutMs)
            if ready > 0 {
                for entry in fds where entry.revents != 0 {
                    if !drain(entry.fd) {
                        close(entry.fd)
                        open.removeAll { $0 == entry.fd }
                    }
                }
            }
        }
        for fd in open { close(fd) }

        spawnLock.withLock { _ = running.remove(pid) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if status & 0x7f == 0 {
            result.exitCode = (status >> 8) & 0xff
        } else if status & 0x7f != 0x7f {
            result.signal = status & 0x7f
        }
        return finished()
    }

    static func nanoseconds(_ d: Duration) -> UInt64 {
        let (seconds, attos) = d.components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attos / 1_000_000_000))
    }

    /// Whether the child has ended, without reaping it (`WNOWAIT`): its group id stays ours
    /// until we reap it.
    static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        let r = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        guard r == 0 else { return errno == ECHILD }
        #if canImport(Darwin)
            return info.si_pid == pid
        #else
            return info._sifields._sigchld.si_pid == pid
        #endif
    }

    static func makePipe() -> (read: Int32, write: Int32)? {
        // Glibc's module does not export pipe2: set close-on-exec right after, under the lock
        // every spawn takes, so no client started meanwhile inherits another's pipe.
        var fds: [Int32] = [0, 0]
        return spawnLock.withLock {
            guard pipe(&fds) == 0 else { return nil }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return (fds[0], fds[1])
        }
    }

    /// Taken around pipe creation and spawning (see `makePipe`).
    static let spawnLock = NSLock()

    /// The process groups of the clients running now (their leaders are not reaped yet, so
    /// the ids are still theirs).
    nonisolated(unsafe) static var running: Set<pid_t> = []

    /// Kills every running client's process group (SIGKILL): for a runner interrupted by
    /// SIGINT or SIGTERM, whose clients, in their own groups, do not get the terminal's signal.
    public static func killAll() {
        let groups = spawnLock.withLock { running }
        for group in groups { kill(-group, SIGKILL) }
    }

    enum Spawned {
        case success(pid_t)
        case failure(String)
    }

    /// `posix_spawn` of `/bin/sh -c command` in a new process group, stdin from /dev/null,
    /// default signal dispositions and an empty signal mask.
    static func spawn(command: String, environment: [String: String], stdout: Int32, stderr: Int32) -> Spawned {
        #if canImport(Darwin)
            var actions: posix_spawn_file_actions_t? = nil
            var attributes: posix_spawnattr_t? = nil
        #else
            var actions = posix_spawn_file_actions_t()
            var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        // Nothing else of ours reaches the client: NIO's sockets are not close-on-exec on
        // Linux, and a client holding a listening socket would keep a stopped server's port
        // accepting (and its connections from ever reaching EOF).
        #if canImport(Darwin)
            let closeOthers = Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #else
            // glibc ≥ 2.34 has it, but its header declares it only for _GNU_SOURCE builds.
            if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
                typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
                _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
            }
            let closeOthers: Int32 = 0
        #endif

        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(
            &attributes, Int16(Int32(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) | closeOthers))
        posix_spawnattr_setpgroup(&attributes, 0)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signo in [SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM] {
            sigaddset(&defaults, signo)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv: [UnsafeMutablePointer<CChar>?] = (["/bin/sh", "-c", command] as [String]).map { strdup($0) }
        let envp: [UnsafeMutablePointer<CChar>?] = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") }
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var cArgv: [UnsafeMutablePointer<CChar>?] = argv + [nil]
        var cEnvp: [UnsafeMutablePointer<CChar>?] = envp + [nil]
        var pid: pid_t = 0
        let rc = spawnLock.withLock {
            let rc = posix_spawn(&pid, "/bin/sh", &actions, &attributes, &cArgv, &cEnvp)
            if rc == 0 { running.insert(pid) }
            return rc
        }
        guard rc == 0 else { return .failure("posix_spawn /bin/sh: \(String(cString: strerror(rc)))") }
        return .success(pid)
    }
}

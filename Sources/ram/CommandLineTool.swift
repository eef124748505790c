import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure while a command runs (a missing file, a bad data set), printed as one line.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
}

/// Runs the command a command line names, and turns every outcome into an exit status.
///
/// - 0: success, or help printed.
/// - 1: the command failed (e.g. a data file is missing); one line `error: ...` on stderr.
/// - 2: the command line is wrong; one line `error: ...` and the usage on stderr.
enum CommandLineTool {
    static func run(_ root: Command, arguments: [String]) -> Never {
        do {
            let (command, parsed) = try root.parse(arguments)
            guard let run = command.run else { preconditionFailure("leaf command '\(command.name)' has no run") }
            try run(parsed)
            exit(0)
        } catch let help as HelpRequest {
            print(help.usage)
            exit(0)
        } catch is StopRequest.Stopped {
            exit(130)  // what a shell reports for an interrupted command; the trainer said what it saved
        } catch let usage as UsageError {
            printError("error: \(usage.message)\n\n\(usage.usage)")
            exit(2)
        } catch {
            printError("error: \(oneLine(error))")
            exit(1)
        }
    }

    /// The error's description, with any line breaks folded so the message stays one line.
    static func oneLine(_ error: any Error) -> String {
        String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// Whether `say` prints: in a run of several processes, only rank 0 does.
    static var speaks: Bool {
        get { speaking.load(ordering: .relaxed) }
        set { speaking.store(newValue, ordering: .relaxed) }
    }
    private static let speaking = Atomic<Bool>(true)

    /// Prints a line to standard output at once (unbuffered, so a log file shows progress live).
    static func say(_ text: String) {
        guard speaks else { return }
        let line = text + "\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(1, $0.baseAddress, $0.count - 1) }
    }

    static func printError(_ text: String, newline: Bool = true) {
        // write(2) rather than stderr: the C global is not concurrency-safe in Swift 6.
        let line = text + (newline ? "\n" : "")
        _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    }
}

import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C (SIGINT) or SIGTERM during training: the first asks the loop to stop after its
/// current step and save where it stands; a second one ends the process at once.
enum StopRequest {
    private static let requested = Atomic<Bool>(false)

    /// Installs the handlers; until then a signal ends the process as usual.
    static func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number) { number in
                // Only async-signal-safe work here: an atomic exchange, and _exit.
                if StopRequest.requested.exchange(true, ordering: .relaxed) { _exit(128 + number) }
            }
        }
    }

    static var isRequested: Bool { requested.load(ordering: .relaxed) }

    /// Thrown once the run has saved where it stopped; the tool exits with status 130, as a
    /// shell reports an interrupted command.
    struct Stopped: Error {}
}

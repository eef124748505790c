import Autograd

/// `--threads`: how many threads the matrix products of training may use.
enum Threads {
    static let option = Option.integer(
        "threads", default: 1, range: 1...64,
        help: "Threads for large matrix products (results are identical for any count; 2 suits a 2-core machine).")

    /// Applies `--threads` to the process-wide kernel setting; called before training starts.
    /// Not saved in checkpoints: it changes the speed of a run, never its numbers.
    static func apply(_ arguments: ParsedArguments) {
        KernelSettings.threadCount = arguments.integer("threads")
    }
}

/// `--time-budget` and `--stop-at-step`, the two ways to end a training run early that
/// `ram train` and `ram catch train` share, and what they ask of the loop.
enum RunStops {
    /// The options, for a command whose updates are called `step` (a step, an update).
    static func options(step: String) -> [Option] {
        [
            .number(
                "time-budget", default: 0, range: 0...1e7,
                help:
                    "Stop after this many minutes, at the \(step) where the time runs out (--resume continues from "
                    + "it; 0: no limit)."
            ),
            .integer(
                "stop-at-step", range: 1...Int.max,
                help:
                    "Stop once the run has taken this many \(step)s in all, saving the last checkpoint there "
                    + "(--resume continues from it): a stop that, unlike --time-budget or Ctrl-C, repeats exactly."
            ),
        ]
    }

    /// The time budget in seconds and the step to stop at, where the options give them.
    static func read(_ arguments: ParsedArguments) -> (timeBudget: Double?, stopStep: Int?) {
        let minutes = arguments.number("time-budget")
        return (
            minutes > 0 ? minutes * 60 : nil,
            arguments.isGiven("stop-at-step") ? arguments.integer("stop-at-step") : nil
        )
    }
}

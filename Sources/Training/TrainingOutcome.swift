/// How a call to a trainer's `run` ended.
public enum TrainingOutcome: Sendable, Equatable {
    /// The run is complete.
    case finished
    /// The time budget ran out; the last checkpoint holds the run, and `resume` continues it.
    case outOfTime
    /// The run reached the step it was told to stop at; the last checkpoint holds it there.
    case reachedStopStep
    /// The trainer's `shouldStop` said so; the last checkpoint holds the run.
    case stopped
    /// The selection metric reached the trainer's `target` and `stopsAtTarget` is set.
    case reachedTarget
}

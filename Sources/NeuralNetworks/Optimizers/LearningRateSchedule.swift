/// A learning rate as a function of the number of updates applied so far.
///
/// ```swift
/// optimizer.learningRate = schedule.learningRate(at: optimizer.step)
/// optimizer.update()
/// ```
/// Schedules that depend only on the step are values with no state, so a resumed run
/// recomputes them from the restored step count. `ReduceOnPlateau`, which depends on the
/// history of a validation metric, is separate and `Codable`.
public protocol LearningRateSchedule: Sendable {
    /// The learning rate for the update that follows `step` earlier updates.
    func learningRate(at step: Int) -> Double
}

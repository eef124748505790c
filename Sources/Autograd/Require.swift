/// Stops the program with `message` when `condition` is false, in every build configuration.
///
/// The standard library's `precondition` drops its message in optimised builds, and models
/// are trained in release: a shape error must still name the op and the shapes there.
@inlinable
package func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}

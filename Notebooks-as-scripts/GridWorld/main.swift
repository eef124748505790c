// # The 4x3 grid world: value iteration, then REINFORCE from episodes alone
//
// The world textbooks use to introduce Markov decision processes (Russell and Norvig,
// "Artificial Intelligence: A Modern Approach", chapter 17):
//
//     +---+---+---+---+
//   3 |   |   |   | +1|        start at (1,1), bottom left; a wall at (2,2);
//     +---+---+---+---+        the exits (4,3) pay +1 and (4,2) pays -1 and end the episode.
//   2 |   |###|   | -1|        A move goes where it is aimed with probability 0.8 and to
//     +---+---+---+---+        either side with 0.1 each; bumping into the wall or the edge
//   1 | S |   |   |   |        means staying. Every other state pays the living reward R.
//     +---+---+---+---+
//       1   2   3   4
//
// First we solve it exactly with value iteration (Bellman 1957), then a softmax policy
// trained with REINFORCE (Williams 1992) on the toolkit's tape and `Categorical`
// distribution learns the same policy from sampled episodes, never seeing the model.
//
//     swift run -c release gridworld [--small]

import Autograd
import NeuralNetworks
import NotebookSupport
import Training

let notebook = Notebook(name: "gridworld", summary: "Value iteration and REINFORCE on the 4x3 grid world.")

// ## The world
//
// Cells are (column, row) from (0, 0) at the bottom left; the 11 cells that are not the wall
// are numbered row by row from the bottom. Actions are up, right, down, left.

struct Cell: Hashable { var column: Int, row: Int }

enum Action: Int, CaseIterable {
    case up, right, down, left
    var move: (Int, Int) { [(0, 1), (1, 0), (0, -1), (-1, 0)][rawValue] }
    var arrow: String { ["↑", "→", "↓", "←"][rawValue] }
    /// The two directions at right angles, where a move slips with probability 0.1 each.
    var sideways: [Action] { self == .up || self == .down ? [.left, .right] : [.up, .down] }
}

struct GridWorld {
    let columns = 4, rows = 3
    let wall = Cell(column: 1, row: 1)
    let exits: [Cell: Double] = [Cell(column: 3, row: 2): 1, Cell(column: 3, row: 1): -1]
    let start = Cell(column: 0, row: 0)
    let livingReward: Double

    /// Every cell but the wall, bottom row first.
    var cells: [Cell] {
        (0..<rows).flatMap { r in (0..<columns).map { Cell(column: $0, row: r) } }.filter { $0 != wall }
    }
    /// The cells where the agent acts.
    var states: [Cell] { cells.filter { exits[$0] == nil } }

    func reward(_ cell: Cell) -> Double { exits[cell] ?? livingReward }

    /// Where a move from `cell` in `direction` lands: the same cell when it hits the wall or the edge.
    func destination(_ cell: Cell, _ direction: Action) -> Cell {
        let next = Cell(column: cell.column + direction.move.0, row: cell.row + direction.move.1)
        let inside = (0..<columns).contains(next.column) && (0..<rows).contains(next.row)
        return inside && next != wall ? next : cell
    }

    /// The outcomes of aiming `action` from `cell`: 0.8 ahead, 0.1 to either side.
    func outcomes(_ cell: Cell, _ action: Action) -> [(cell: Cell, probability: Double)] {
        [(destination(cell, action), 0.8)] + action.sideways.map { (destination(cell, $0), 0.1) }
    }
}

// ## Value iteration
//
// The utility of a state is its reward plus the best expected utility of where one move
// takes it (no discount: every policy that heads for an exit ends):
//
//     U(s) = R(s) + max_a sum_s' P(s' | s, a) U(s'),      U(exit) = its payoff.
//
// Repeating this update from U = 0 converges to the optimal utilities; the optimal policy
// picks the maximising action.

func expectedUtility(_ world: GridWorld, _ utility: [Cell: Double], _ cell: Cell, _ action: Action) -> Double {
    world.outcomes(cell, action).reduce(0) { $0 + $1.probability * utility[$1.cell]! }
}

func valueIteration(_ world: GridWorld) -> (utility: [Cell: Double], policy: [Cell: Action], sweeps: Int) {
    var utility = Dictionary(uniqueKeysWithValues: world.cells.map { ($0, world.exits[$0] ?? 0) })
    var sweeps = 0
    while true {
        sweeps += 1
        var change = 0.0
        for cell in world.states {
            let best = Action.allCases.map { expectedUtility(world, utility, cell, $0) }.max()!
            let updated = world.reward(cell) + best
            change = max(change, abs(updated - utility[cell]!))
            utility[cell] = updated
        }
        if change < 1e-12 { break }
    }
    let policy = Dictionary(
        uniqueKeysWithValues: world.states.map { cell in
            (
                cell,
                Action.allCases.max {
                    expectedUtility(world, utility, cell, $0) < expectedUtility(world, utility, cell, $1)
                }!
            )
        })
    return (utility, policy, sweeps)
}

/// The utilities of following `policy` for ever (iterative policy evaluation).
func evaluate(_ policy: [Cell: Action], in world: GridWorld) -> [Cell: Double] {
    var utility = Dictionary(uniqueKeysWithValues: world.cells.map { ($0, world.exits[$0] ?? 0) })
    for _ in 0..<100_000 {
        var change = 0.0
        for cell in world.states {
            let updated = world.reward(cell) + expectedUtility(world, utility, cell, policy[cell]!)
            change = max(change, abs(updated - utility[cell]!))
            utility[cell] = updated
        }
        if change < 1e-12 { break }
    }
    return utility
}

/// The grid as text, top row first: one entry per cell.
func picture(_ world: GridWorld, _ entry: (Cell) -> String) -> String {
    (0..<world.rows).reversed().map { r in
        (0..<world.columns).map { c -> String in
            let cell = Cell(column: c, row: r)
            let text = cell == world.wall ? "####" : world.exits[cell].map { $0 > 0 ? "+1" : "-1" } ?? entry(cell)
            return String(repeating: " ", count: max(0, 7 - text.count)) + text
        }.joined()
    }.joined(separator: "\n")
}

// ## REINFORCE
//
// The policy is a softmax over the four actions with one logit per (state, action): a
// `Linear` layer without bias applied to the one-hot code of the state. An update plays a
// batch of episodes with the current policy, recording each step's `Categorical` on the tape,
// then follows the gradient of the surrogate loss
//
//     L = -(1/B) sum_episodes sum_t (G_t - b(s_t)) log pi(a_t | s_t),
//
// whose gradient is the REINFORCE estimate of -d(expected return) (Williams 1992). `G_t` is
// the return from step t on, and the baseline `b(s)` is a running average of the returns seen
// from s: it changes no expectation but removes most of the variance.
//
// Some choices are close (at R = -0.04 the best and second-best actions of (3,1) differ by
// 0.018 in expected return, against returns that swing between -1 and +1), so three things
// make every state's action learnable: episodes start in a uniformly random state (otherwise
// states that a good policy never visits would get no signal); a decaying entropy bonus keeps
// every action tried until the estimates settle (a softmax that saturates early stops
// learning); and large batches with a decaying learning rate average the noise away.

struct ReinforceSettings {
    var updates: Int
    var episodesPerUpdate = 256
    var learningRate = 0.03
    /// The weight of the entropy bonus at the start; it decays to zero with the learning rate.
    var entropyWeight = 0.05
    /// Episodes still running after this many steps are cut short (rare once the policy improves).
    var maximumSteps = 200
}

func reinforce(
    _ world: GridWorld, _ settings: ReinforceSettings, seed: UInt64,
    report: (_ update: Int, _ greedyPolicy: [Cell: Action], _ startUtility: Double) -> Void
)
    -> [Cell: Action]
{
    let states = world.states
    let stateIndex = Dictionary(uniqueKeysWithValues: states.enumerated().map { ($1, $0) })
    var generator = SeededGenerator(seed: seed)
    let store = ParameterStore<Double>()
    let policy = Linear(
        inputSize: states.count, outputSize: Action.allCases.count, bias: false,
        name: "policy", store: store, generator: &generator)
    let optimizer = Adam(for: store, learningRate: settings.learningRate)
    var baseline = [Double](repeating: 0, count: states.count)
    let tape = Tape<Double>()

    func oneHot(_ cells: [Cell]) -> Tensor<Double> {
        var t = Tensor<Double>.zeros([cells.count, states.count])
        for (row, cell) in cells.enumerated() { t[row, stateIndex[cell]!] = 1 }
        return t
    }
    func greedy() -> [Cell: Action] {
        tape.reset()
        let modes = Categorical(logits: policy(tape.constant(oneHot(states)))).mode()
        return Dictionary(uniqueKeysWithValues: zip(states, modes.map { Action(rawValue: $0)! }))
    }

    let takeStep = TrainingStep(optimizer: optimizer)
    for update in 1...settings.updates {
        let progress = Double(update - 1) / Double(settings.updates)
        optimizer.learningRate = settings.learningRate * (1 - progress) + 1e-4
        must {
            try takeStep { tape in
                // Play the batch in lock-step: one tape op sequence per time step for the episodes still running.
                let count = settings.episodesPerUpdate
                var position = (0..<count).map { _ in states[Int.random(in: 0..<states.count, using: &generator)] }
                var running = Array(0..<count)
                var visits: [[(cell: Cell, reward: Double)]] = Array(repeating: [], count: count)
                var steps: [(episodes: [Int], logProbability: Variable<Double>)] = []
                for _ in 0..<settings.maximumSteps where !running.isEmpty {
                    let distribution = Categorical(logits: policy(tape.constant(oneHot(running.map { position[$0] }))))
                    let actions = distribution.sample(using: &generator)
                    steps.append((running, distribution.logProbability(of: actions)))
                    var stillRunning: [Int] = []
                    for (episode, action) in zip(running, actions) {
                        let cell = position[episode]
                        visits[episode].append((cell, world.reward(cell)))
                        // The world's dice: 0.8 ahead, 0.1 to each side.
                        let u = generator.nextUniform(Double.self)
                        let aimed = Action(rawValue: action)!
                        let next = world.destination(
                            cell, u < 0.8 ? aimed : u < 0.9 ? aimed.sideways[0] : aimed.sideways[1])
                        if let payoff = world.exits[next] {
                            visits[episode].append((next, payoff))
                        } else {
                            position[episode] = next
                            stillRunning.append(episode)
                        }
                    }
                    running = stillRunning
                }
                // Returns to go, advantages, and the surrogate loss.
                let returns: [[Double]] = visits.map { path in
                    var g = 0.0
                    return path.reversed().map {
                        g += $0.reward
                        return g
                    }.reversed()
                }
                var loss: Variable<Double>?
                for (t, step) in steps.enumerated() {
                    let advantages = step.episodes.map { e in returns[e][t] - baseline[stateIndex[visits[e][t].cell]!] }
                    let term = -(tape.constant(Tensor(advantages)) * step.logProbability).sum() * (1 / Double(count))
                    loss = loss.map { $0 + term } ?? term
                }
                // An entropy bonus over all states keeps every action tried until the estimates settle.
                let everyState = Categorical(logits: policy(tape.constant(oneHot(states))))
                loss = loss! - everyState.entropy().mean() * (settings.entropyWeight * (1 - progress))
                for (e, path) in visits.enumerated() {
                    for (t, visit) in path.enumerated() where world.exits[visit.cell] == nil {
                        baseline[stateIndex[visit.cell]!] += 0.05 * (returns[e][t] - baseline[stateIndex[visit.cell]!])
                    }
                }
                return loss!
            }
        }
        if update % max(1, settings.updates / 5) == 0 || update == settings.updates {
            let p = greedy()
            report(update, p, evaluate(p, in: world)[world.start]!)
        }
    }
    return greedy()
}

// ## Running it
//
// The textbook's utilities for R = -0.04 (Russell and Norvig, figure 17.3), to three decimals.
let textbook: [Cell: Double] = [
    Cell(column: 0, row: 2): 0.812, Cell(column: 1, row: 2): 0.868, Cell(column: 2, row: 2): 0.918,
    Cell(column: 0, row: 1): 0.762, Cell(column: 2, row: 1): 0.660,
    Cell(column: 0, row: 0): 0.705, Cell(column: 1, row: 0): 0.655, Cell(column: 2, row: 0): 0.611,
    Cell(column: 3, row: 0): 0.388,
]

// Both settings train the same way; the full one repeats it with five seeds.
let settings = ReinforceSettings(updates: 3000)
let seeds: [UInt64] = notebook.isSmall ? [1] : [1, 2, 3, 4, 5]

for livingReward in [-0.04, -0.4] {
    let world = GridWorld(livingReward: livingReward)
    print("\n## Living reward \(livingReward)\n")
    let (utility, optimal, sweeps) = valueIteration(world)
    print("Value iteration (\(sweeps) sweeps): utilities")
    print(picture(world) { format(utility[$0]!) })
    print("\nand the optimal policy")
    print(picture(world) { optimal[$0]!.arrow })
    // How clear each choice is: the gap between the best and second-best action.
    let gaps = world.states.map { cell -> Double in
        let q = Action.allCases.map { expectedUtility(world, utility, cell, $0) }.sorted(by: >)
        return q[0] - q[1]
    }
    print("\nsmallest gap between the best and the second-best action: \(format(gaps.min()!, 4))")
    claim(gaps.min()! > 1e-6, "value iteration's policy is unique for R = \(livingReward)")

    if livingReward == -0.04 {
        for cell in world.states {
            claim(
                abs(utility[cell]! - textbook[cell]!) < 0.005,
                "U(\(cell.column + 1),\(cell.row + 1)) = \(format(utility[cell]!)) matches the textbook's "
                    + "\(textbook[cell]!) to two decimals"
            )
        }
    }

    for seed in seeds {
        print("\nREINFORCE, seed \(seed): \(settings.updates) updates of \(settings.episodesPerUpdate) episodes")
        var rows: [[String]] = []
        let learned = reinforce(world, settings, seed: seed) { update, policy, startUtility in
            let agreeing = world.states.filter { policy[$0] == optimal[$0] }.count
            rows.append([String(update), "\(agreeing)/\(world.states.count)", format(startUtility)])
        }
        print(table(["update", "states agreeing with value iteration", "U(start) of the greedy policy"], rows))
        print("\nthe learned policy (greedy in its logits)")
        print(picture(world) { learned[$0]!.arrow })
        let disagreeing = world.states.filter { learned[$0] != optimal[$0] }
        claim(
            disagreeing.isEmpty,
            "REINFORCE (seed \(seed)) learns value iteration's action in every non-terminal state for R = "
                + "\(livingReward)"
                + (disagreeing.isEmpty ? "" : "; differs at \(disagreeing.map { "(\($0.column + 1),\($0.row + 1))" })"))
    }
}
print("\ndone in \(format(notebook.elapsed, 1)) s")

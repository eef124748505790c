import Autograd

/// Catch, the dynamic environment of Mnih et al. (2014), for a batch of games played in lockstep.
///
/// A 24x24 binary screen. A one-pixel ball starts on the top row at a random column, moving
/// diagonally down-left or down-right at random; each move it falls one row and shifts one
/// column, bouncing off the side walls. A two-pixel paddle on the bottom row starts in the
/// middle and moves one column left or right, or stays, each move. After 23 moves the ball is on
/// the bottom row: the reward is 1 if the paddle is under it, else 0, and it is the only reward.
public struct CatchGame: Sendable, Equatable {
    public static let size = 24
    public static let paddleWidth = 2
    /// Moves in an episode: the ball falls from the top row to the bottom one.
    public static let moves = size - 1
    /// The paddle's first (left) column at the start: the middle of the bottom row.
    public static let paddleStart = (size - paddleWidth) / 2

    public enum Action: Int, CaseIterable, Sendable {
        case left = 0
        case stay = 1
        case right = 2
        var shift: Int { rawValue - 1 }
    }

    /// Games in the batch.
    public let count: Int
    /// The ball's row, the same in every game: the number of moves made so far.
    public private(set) var ballRow = 0
    public private(set) var ballColumns: [Int]
    /// -1 (moving left) or +1 (moving right) for each game.
    public private(set) var ballDirections: [Int]
    /// The paddle's left column for each game.
    public private(set) var paddleColumns: [Int]

    /// `count` new games; the ball's start column and direction are drawn from `generator`.
    public init(count: Int, using generator: inout SeededGenerator) {
        require(count >= 1, "CatchGame: count must be at least 1, got \(count)")
        var columns: [Int] = []
        var directions: [Int] = []
        for _ in 0..<count {
            columns.append(Int(generator.next() % UInt64(Self.size)))
            directions.append(generator.next() & 1 == 0 ? -1 : 1)
        }
        self.init(ballColumns: columns, ballDirections: directions)
    }

    /// The games `shard` holds of a batch of `shard.total`: the same games, drawn the same way.
    public init(_ shard: BatchShard, using generator: inout SeededGenerator) {
        self = shard.drawing(2, with: &generator, skip: { _ = $0.next() }) {
            CatchGame(count: shard.rows.count, using: &$0)
        }
    }

    /// Games in a chosen start position (tests, pictures).
    public init(ballColumns: [Int], ballDirections: [Int], paddleColumns: [Int]? = nil) {
        require(
            ballColumns.count == ballDirections.count && !ballColumns.isEmpty,
            "CatchGame: \(ballColumns.count) ball columns and \(ballDirections.count) directions")
        require(
            ballColumns.allSatisfy { (0..<Self.size).contains($0) } && ballDirections.allSatisfy { abs($0) == 1 },
            "CatchGame: ball columns must be in 0..<\(Self.size) and directions -1 or 1")
        count = ballColumns.count
        self.ballColumns = ballColumns
        self.ballDirections = ballDirections
        self.paddleColumns = paddleColumns ?? Array(repeating: Self.paddleStart, count: count)
        require(
            self.paddleColumns.count == count
                && self.paddleColumns.allSatisfy { (0...(Self.size - Self.paddleWidth)).contains($0) },
            "CatchGame: paddle columns must be in 0...\(Self.size - Self.paddleWidth), one per game")
    }

    /// Whether the ball has reached the bottom row (every game ends together).
    public var isOver: Bool { ballRow == Self.moves }

    /// One move of every game: each paddle moves as its action says, then every ball moves.
    public mutating func play(_ actions: [Action]) {
        require(!isOver, "CatchGame: the episode is over; start new games")
        require(actions.count == count, "CatchGame: \(actions.count) actions for \(count) games")
        for i in 0..<count {
            paddleColumns[i] = min(max(paddleColumns[i] + actions[i].shift, 0), Self.size - Self.paddleWidth)
            if !(0..<Self.size).contains(ballColumns[i] + ballDirections[i]) { ballDirections[i] = -ballDirections[i] }
            ballColumns[i] += ballDirections[i]
        }
        ballRow += 1
    }

    /// Whether game `i`'s paddle is under its ball (the reward once the episode is over).
    public func isCaught(_ i: Int) -> Bool {
        ballRow == Self.moves && (paddleColumns[i]..<(paddleColumns[i] + Self.paddleWidth)).contains(ballColumns[i])
    }

    /// The final rewards: 1 for a catch, 0 for a miss.
    public var rewards: [Float] {
        require(isOver, "CatchGame: rewards come only at the end of the episode (move \(ballRow) of \(Self.moves))")
        return (0..<count).map { isCaught($0) ? 1 : 0 }
    }

    /// Draws every screen into `screens` (`[count, 24, 24]`): 1 where the ball or paddle is, else 0.
    public func render(into screens: UnsafeMutablePointer<Float>) {
        let area = Self.size * Self.size
        screens.update(repeating: 0, count: count * area)
        for i in 0..<count {
            let screen = screens + i * area
            screen[ballRow * Self.size + ballColumns[i]] = 1
            for c in paddleColumns[i]..<(paddleColumns[i] + Self.paddleWidth) {
                screen[(Self.size - 1) * Self.size + c] = 1
            }
        }
    }
}

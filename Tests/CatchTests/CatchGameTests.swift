import Autograd
import Catch
import Testing

@Suite struct CatchGameTests {
    /// The ball's column after `moves` moves, by unfolding the reflections: an independent
    /// closed form (the walls reflect a straight line with period 2 * 23).
    static func ballColumn(start: Int, direction: Int, after moves: Int) -> Int {
        let period = 2 * (CatchGame.size - 1)
        let x = ((start + direction * moves) % period + period) % period
        return x <= CatchGame.size - 1 ? x : period - x
    }

    static func play(_ game: inout CatchGame, _ action: CatchGame.Action, times: Int = 1) {
        for _ in 0..<times { game.play(Array(repeating: action, count: game.count)) }
    }

    @Test func theBallBouncesOffBothWalls() {
        var game = CatchGame(ballColumns: [1, 22], ballDirections: [-1, 1])
        Self.play(&game, .stay)
        #expect(game.ballColumns == [0, 23])
        Self.play(&game, .stay)
        #expect(game.ballColumns == [1, 22] && game.ballDirections == [1, -1] && game.ballRow == 2)
    }

    @Test func theBallFollowsTheUnfoldedLineEveryMove() {
        for start in 0..<CatchGame.size {
            for direction in [-1, 1] {
                var game = CatchGame(ballColumns: [start], ballDirections: [direction])
                for move in 1...CatchGame.moves {
                    Self.play(&game, .stay)
                    #expect(game.ballColumns[0] == Self.ballColumn(start: start, direction: direction, after: move))
                }
            }
        }
    }

    @Test func anEpisodeLastsTwentyThreeMovesAndPaysOnlyAtTheEnd() {
        var game = CatchGame(ballColumns: [5], ballDirections: [1])
        var moves = 0
        while !game.isOver {
            #expect(!game.isCaught(0))
            Self.play(&game, .stay)
            moves += 1
        }
        #expect(moves == 23 && game.ballRow == 23)
    }

    @Test func thePaddleCatchesExactlyWhenItIsUnderTheBall() {
        // Every start, with the paddle parked at every column: caught iff the ball lands on it.
        for start in 0..<CatchGame.size {
            for direction in [-1, 1] {
                let landing = Self.ballColumn(start: start, direction: direction, after: CatchGame.moves)
                for paddle in 0...(CatchGame.size - CatchGame.paddleWidth) {
                    var game = CatchGame(ballColumns: [start], ballDirections: [direction], paddleColumns: [paddle])
                    Self.play(&game, .stay, times: CatchGame.moves)
                    #expect(game.rewards == [landing == paddle || landing == paddle + 1 ? 1 : 0])
                }
            }
        }
    }

    @Test func thePaddleMovesOneColumnAndStopsAtTheWalls() {
        var game = CatchGame(ballColumns: [0, 0, 0], ballDirections: [1, 1, 1], paddleColumns: [0, 11, 22])
        game.play([.left, .right, .right])
        #expect(game.paddleColumns == [0, 12, 22])
        game.play([.right, .left, .stay])
        #expect(game.paddleColumns == [1, 11, 22])
    }

    @Test func aChasingPaddleCatchesEveryBall() {
        var generator = SeededGenerator(seed: 4)
        var game = CatchGame(count: 200, using: &generator)
        let landing = (0..<game.count).map {
            Self.ballColumn(start: game.ballColumns[$0], direction: game.ballDirections[$0], after: CatchGame.moves)
        }
        while !game.isOver {
            game.play(
                (0..<game.count).map { i -> CatchGame.Action in
                    landing[i] < game.paddleColumns[i] ? .left : landing[i] > game.paddleColumns[i] + 1 ? .right : .stay
                })
        }
        #expect(game.rewards.allSatisfy { $0 == 1 })
    }

    @Test func theScreenShowsTheBallAndThePaddle() {
        var game = CatchGame(ballColumns: [3, 20], ballDirections: [1, -1], paddleColumns: [0, 22])
        Self.play(&game, .stay, times: 2)
        var screens = [Float](repeating: -1, count: 2 * 24 * 24)
        screens.withUnsafeMutableBufferPointer { game.render(into: $0.baseAddress!) }
        var expected = [Float](repeating: 0, count: 2 * 24 * 24)
        for (i, on) in [(0, [2 * 24 + 5, 23 * 24 + 0, 23 * 24 + 1]), (1, [2 * 24 + 18, 23 * 24 + 22, 23 * 24 + 23])] {
            for pixel in on { expected[i * 576 + pixel] = 1 }
        }
        #expect(screens == expected)
    }

    @Test func theSameSeedDealsTheSameGames() {
        var a = SeededGenerator(seed: 9)
        var b = SeededGenerator(seed: 9)
        var c = SeededGenerator(seed: 10)
        let first = CatchGame(count: 64, using: &a)
        #expect(first == CatchGame(count: 64, using: &b))
        #expect(first != CatchGame(count: 64, using: &c))
        #expect(Set(first.ballColumns).count > 10 && Set(first.ballDirections) == [-1, 1])
    }

    /// The exact catch rate of uniformly random moves: the landing column is fixed by the start,
    /// and the paddle's distribution after 23 clamped random moves comes from a small recursion.
    static func randomPolicyCatchRate() -> Double {
        let positions = CatchGame.size - CatchGame.paddleWidth + 1
        var paddle = [Double](repeating: 0, count: positions)
        paddle[CatchGame.paddleStart] = 1
        for _ in 0..<CatchGame.moves {
            var next = [Double](repeating: 0, count: positions)
            for p in 0..<positions {
                for shift in -1...1 { next[min(max(p + shift, 0), positions - 1)] += paddle[p] / 3 }
            }
            paddle = next
        }
        var rate = 0.0
        for start in 0..<CatchGame.size {
            for direction in [-1, 1] {
                let landing = ballColumn(start: start, direction: direction, after: CatchGame.moves)
                let under = [landing - 1, landing].filter { (0..<positions).contains($0) }
                rate += under.map { paddle[$0] }.reduce(0, +) / Double(2 * CatchGame.size)
            }
        }
        return rate
    }

    @Test func randomMovesCatchAsOftenAsTheExactRateSays() {
        let exact = Self.randomPolicyCatchRate()
        var generator = SeededGenerator(seed: 21)
        var caught = 0.0
        let episodes = 40_000
        var game = CatchGame(count: episodes, using: &generator)
        while !game.isOver {
            game.play((0..<episodes).map { _ in CatchGame.Action(rawValue: Int(generator.next() % 3))! })
        }
        caught = Double(game.rewards.reduce(0, +))
        let rate = caught / Double(episodes)
        let standardError = (exact * (1 - exact) / Double(episodes)).squareRoot()
        #expect(exact > 0.05 && exact < 0.2)
        #expect(abs(rate - exact) < 4 * standardError, "random catch rate \(rate), exact \(exact)")
    }
}

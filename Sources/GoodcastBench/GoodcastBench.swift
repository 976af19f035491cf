import ArgumentParser
import Foundation

/// Load generator and benchmark driver; results go to BENCHMARKS.md with the machine and
/// the command that produced them.
@main
struct GoodcastBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "GoodcastBench",
        abstract: "Goodcast's load generator and benchmark driver.",
        subcommands: [DonationsBenchmark.self, FeedBenchmark.self, ViewsBenchmark.self]
    )
}

import ArgumentParser
import Foundation

/// Load generator and benchmark driver. Benchmarks arrive with the features they measure
/// (donations in the money issue); see BENCHMARKS.md.
@main
struct GoodcastBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "GoodcastBench",
        abstract: "Goodcast's load generator and benchmark driver.",
        subcommands: [Version.self],
        defaultSubcommand: Version.self
    )

    struct Version: ParsableCommand {
        func run() { print("GoodcastBench: no benchmark has landed yet; see BENCHMARKS.md") }
    }
}

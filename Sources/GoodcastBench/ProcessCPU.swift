import Foundation

/// CPU time used by a process and its direct children (nginx's workers), and by this process,
/// read from Linux's `/proc`: how much of the two cores each side of a benchmark took.
enum ProcessCPU {
    /// User plus system seconds of `pid` and of every live process whose parent it is.
    static func seconds(ofTree pid: Int32) -> Double {
        var ticks = stat(of: pid)?.ticks ?? 0
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let child = Int32(entry), child != pid, let stat = stat(of: child), stat.parent == pid else { continue }
            ticks += stat.ticks
        }
        return Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// User plus system seconds of this process, all threads.
    static func ownSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// `/proc/PID/stat`: the name in parentheses may hold spaces, so fields are counted after
    /// its closing parenthesis (field 3 is the state, 4 the parent, 14 and 15 user and system ticks).
    private static func stat(of pid: Int32) -> (parent: Int32, ticks: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let parent = Int32(fields[1]), let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return (parent, user + system)
    }
}

import Foundation

/// The target's own process at `GET /metrics`, in Prometheus' text format: what a service
/// under test exposes for `stampede run --scrape` to read beside the load. Reading it is not
/// load: it is not counted in the target's requests, and no injected latency or error
/// applies to it.
enum ProcessMetrics {
    static func page(requests: Int, connections: Int) -> String {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        // /proc/self/statm's second field: resident pages.
        let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        let residentPages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        let openFiles = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        return """
            # HELP stampede_target_requests_total Requests the target answered (this page's reads not counted).
            # TYPE stampede_target_requests_total counter
            stampede_target_requests_total \(requests)
            # HELP stampede_target_connections_total Connections the target accepted.
            # TYPE stampede_target_connections_total counter
            stampede_target_connections_total \(connections)
            # HELP process_cpu_seconds_total User and system CPU time spent, in seconds.
            # TYPE process_cpu_seconds_total counter
            process_cpu_seconds_total \(cpu)
            # HELP process_resident_memory_bytes Resident memory size, in bytes.
            # TYPE process_resident_memory_bytes gauge
            process_resident_memory_bytes \(residentPages * Int(sysconf(Int32(_SC_PAGESIZE))))
            # HELP process_open_fds Open file descriptors.
            # TYPE process_open_fds gauge
            process_open_fds \(openFiles)

            """
    }
}

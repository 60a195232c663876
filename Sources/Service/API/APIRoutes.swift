import ConfigFiles
import Foundation
import Hummingbird
import Scheduler
import SweepStore
import TrialProtocol

/// The HTTP/JSON API (docs/openapi.yaml). Reads go to the store through its WAL
/// readers (a `DatabasePool` of its own: readers never wait for the schedulers'
/// writes); commands go to the `ServiceDaemon`, which hands them to the sweeps' loops.
struct APIRoutes: Sendable {
    static let version = "1"
    /// A submitted spec (and any request body) larger than this is refused with 413.
    static let maxBodyBytes = 256 * 1024
    static let maxPageSize = 1000

    let daemon: ServiceDaemon
    let store: SweepStore
    let layout: ServiceLayout
    let counts = TrialCountCache()

    func register(on router: Router<BasicRequestContext>) {
        let api = router.group("api/v1")
        api.get("health") { _, _ in self.health() }
        api.get("sweeps") { _, _ in try self.guarded { try self.listSweeps() } }
        api.post("sweeps") { request, _ in try await self.submit(request) }
        api.get("sweeps/:name") { _, context in
            try self.guarded { try self.sweepDetail(try self.name(context)) }
        }
        for action in ServiceDaemon.Action.allCases {
            api.post("sweeps/:name/\(action.rawValue)") { _, context in
                try self.guarded { try self.command(action, try self.name(context)) }
            }
        }
        api.get("sweeps/:name/trials") { request, context in
            try self.guarded { try self.trials(try self.name(context), request.uri.queryParameters) }
        }
        api.get("sweeps/:name/trials/:number") { _, context in
            try self.guarded { try self.trialDetail(try self.name(context), context.parameters.get("number") ?? "") }
        }
        api.get("sweeps/:name/reports") { request, context in
            try self.guarded { try self.reports(try self.name(context), request.uri.queryParameters) }
        }
        api.get("sweeps/:name/decisions") { request, context in
            try self.guarded { try self.decisions(try self.name(context), request.uri.queryParameters) }
        }
        api.get("sweeps/:name/best") { request, context in
            try self.guarded { try self.best(try self.name(context), request.uri.queryParameters) }
        }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: self.daemon.metrics.render(daemon: self.daemon, store: self.store))))
        }
        api.get("events") { request, _ in
            EventStream(store: self.store, daemon: self.daemon).response(request.uri.queryParameters)
        }
    }

    // MARK: - Handlers

    private func health() -> Response {
        let queue = daemon.snapshot
        return APIResponse.json(HealthBody(version: Self.version, slots: daemon.settings.slots,
                                           slotsInUse: daemon.slotsInUse,
                                           queueLength: queue.filter { $0.state == .queued }.count,
                                           runningSweeps: queue.filter { $0.state.needsWorker }.count,
                                           gpus: daemon.gpuHolders.map { holder in
                                               GPUBody(id: holder.gpu,
                                                       sweep: holder.entry.flatMap { id in queue.first { $0.id == id }?.name })
                                           }))
    }

    private func listSweeps() throws -> Response {
        let stored = try store.sweeps()
        let queue = daemon.snapshot
        var bodies = try stored.map { sweep in try sweepBody(sweep, entry: queue.last { $0.name == sweep.name }) }
        let storedNames = Set(stored.map(\.name))
        for entry in queue where !storedNames.contains(entry.name) {
            if let last = queue.last(where: { $0.name == entry.name }), last.id == entry.id {
                bodies.append(unstartedBody(entry))
            }
        }
        return APIResponse.json(SweepListBody(sweeps: bodies))
    }

    private func sweepDetail(_ name: String) throws -> Response {
        let entry = daemon.entry(named: name)
        if let sweep = try store.sweep(named: name) {
            return APIResponse.json(try sweepBody(sweep, entry: entry))
        }
        if let entry { return APIResponse.json(unstartedBody(entry)) }
        throw APIError.notFound("no sweep named \(name)")
    }

    private func submit(_ request: Request) async throws -> Response {
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: Self.maxBodyBytes) } catch {
            return APIResponse.error(.contentTooLarge, "the request body is larger than \(Self.maxBodyBytes) bytes")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let body: SubmitRequest
        do { body = try decoder.decode(SubmitRequest.self, from: Data(buffer.readableBytesView)) } catch {
            return APIResponse.error(.badRequest, "the body must be JSON {\"spec\": \"<YAML text>\", \"kind\"?: "
                                     + "\"sweep\"|\"comparison\", \"priority\"?: int >= 1, \"max_slots\"?: int >= 1}")
        }
        var kind: QueueEntry.Kind?
        if let text = body.kind {
            guard let parsed = QueueEntry.Kind(rawValue: text) else {
                return APIResponse.error(.badRequest, "kind must be sweep or comparison (got \(text))", field: "kind")
            }
            kind = parsed
        }
        let priority = body.priority ?? 1
        guard (1...1000).contains(priority) else {
            return APIResponse.error(.badRequest, "priority must be an integer from 1 to 1000", field: "priority")
        }
        if let cap = body.maxSlots, !(1...100_000).contains(cap) {
            return APIResponse.error(.badRequest, "max_slots must be an integer from 1 to 100000", field: "max_slots")
        }
        let spec: SubmittedSpec
        do { spec = try SubmittedSpec.parse(body.spec, kind: kind) } catch let error as ConfigFileError {
            return APIResponse.specError(error)
        } catch {
            return APIResponse.error(.badRequest, "\(error)", source: SubmittedSpec.source)
        }
        return try guarded {
            let entry = try daemon.submit(spec, text: body.spec, priority: priority, maxSlots: body.maxSlots, store: store)
            return APIResponse.json(SubmitResponseBody(name: entry.name, kind: entry.kind.rawValue,
                                                       state: entry.state.rawValue, service: entryBody(entry)),
                                    status: .created)
        }
    }

    private func command(_ action: ServiceDaemon.Action, _ name: String) throws -> Response {
        let entry = try daemon.apply(action, to: name, store: store)
        return APIResponse.json(SubmitResponseBody(name: entry.name, kind: entry.kind.rawValue,
                                                   state: entry.state.rawValue, service: entryBody(entry)))
    }

    private func trials(_ name: String, _ query: Parameters) throws -> Response {
        let sweep = try storedSweep(name)
        var state: TrialState?
        if let text = query.get("state") {
            guard let parsed = TrialState(rawValue: text) else {
                throw APIError.badRequest("state must be one of \(TrialState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            state = parsed
        }
        let limit = try int(query, "limit", default: 100, range: 1...Self.maxPageSize)
        let offset = try int(query, "offset", default: 0, range: 0...Int(Int32.max))
        let sortText = query.get("sort") ?? "number"
        let descending = sortText.hasPrefix("-")
        guard let order = SweepStore.TrialOrder(rawValue: descending ? String(sortText.dropFirst()) : sortText) else {
            throw APIError.badRequest("sort must be number, value or started, with '-' for descending (got \(sortText))")
        }
        var after: SweepStore.TrialCursor?
        if let text = query.get("after") {
            guard let cursor = SweepStore.TrialCursor(text: text, order: order) else {
                throw APIError.badRequest("after must be the next_cursor of a page with the same sort (got \(text))")
            }
            guard offset == 0 else { throw APIError.badRequest("after and offset cannot be combined") }
            after = cursor
        }
        let counts = try self.counts.counts(store, sweep: sweep)
        let total = state.map { counts[$0] ?? 0 } ?? counts.values.reduce(0, +)
        let page = try store.trialPage(sweepID: sweep.id, state: state, order: order, descending: descending,
                                       limit: limit, offset: offset, after: after, knownTotal: total)
        let body = TrialPageBody(total: page.total, limit: limit, offset: offset,
                                 trials: page.trials.map(TrialBody.init), nextCursor: page.next?.text)
        return APIResponse.data(TrialPageJSON.data(body))
    }

    private func trialDetail(_ name: String, _ numberText: String) throws -> Response {
        let sweep = try storedSweep(name)
        guard let number = Int64(numberText), number >= 1 else {
            throw APIError.badRequest("a trial number is an integer >= 1 (got \(numberText))")
        }
        guard let trial = try store.trial(sweepID: sweep.id, number: number) else {
            throw APIError.notFound("sweep \(name) has no trial \(number)")
        }
        let body = TrialDetailBody(
            sweep: sweep.name, trial: TrialBody(trial),
            attempts: try store.attempts(trialID: trial.id).map(AttemptBody.init),
            reports: try store.reports(trialID: trial.id).map { ReportBody($0, trialNumber: number) },
            decisions: try store.decisions(trialID: trial.id).map { DecisionBody($0, trialNumber: number) },
            logTail: TrialLog.tail(runs: layout.runs, sweep: sweep.name, number: number, lines: 50))
        return APIResponse.json(body)
    }

    private func reports(_ name: String, _ query: Parameters) throws -> Response {
        let sweep = try storedSweep(name)
        let after = Int64(try int(query, "after", default: 0, range: 0...Int.max))
        let limit = try int(query, "limit", default: 1000, range: 1...10_000)
        let rows = try store.reports(sweepID: sweep.id, afterID: after, limit: limit)
        let cursor = rows.last?.report.id ?? after
        return APIResponse.json(ReportPageBody(reports: rows.map { ReportBody($0.report, trialNumber: $0.number) },
                                               cursor: cursor))
    }

    private func decisions(_ name: String, _ query: Parameters) throws -> Response {
        let sweep = try storedSweep(name)
        let limit = try int(query, "limit", default: 100, range: 1...Self.maxPageSize)
        let rows = try store.decisions(sweepID: sweep.id, limit: limit)
        return APIResponse.json(DecisionListBody(decisions: rows.map { DecisionBody($0.decision, trialNumber: $0.number) }))
    }

    private func best(_ name: String, _ query: Parameters) throws -> Response {
        let sweep = try storedSweep(name)
        let top = try int(query, "top", default: 1, range: 1...100)
        let ranked = try SweepQueries.best(store, sweep: name, top: top, runsDirectory: layout.runs)
        return APIResponse.json(BestListBody(
            metric: sweep.metric, goal: sweep.goal.rawValue,
            best: ranked.map { BestEntryBody(number: $0.trial.number, value: $0.trial.finalValue.flatMap(finite),
                                             params: $0.trial.params, config: $0.config) }))
    }

    // MARK: - Helpers

    private func sweepBody(_ sweep: Sweep, entry: QueueEntry?) throws -> SweepBody {
        let counts = try self.counts.counts(store, sweep: sweep)
        let best = try store.best(sweepID: sweep.id, top: 1).first
        let live = entry.flatMap { $0.state.isTerminal ? nil : $0 }
        let kind = try entry?.kind.rawValue ?? SweepQueries.kind(store, sweep, record: false).rawValue
        return SweepBody(
            name: sweep.name, kind: kind, state: live?.state.rawValue ?? sweep.state.rawValue,
            storeState: sweep.state.rawValue, metric: sweep.metric, goal: sweep.goal.rawValue,
            createdAt: sweep.createdAt, finishedAt: sweep.finishedAt, maxTrials: sweep.maxTrials,
            trials: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }),
            trialsTotal: counts.values.reduce(0, +),
            best: best.map { BestBody(number: $0.number, value: $0.finalValue.flatMap(finite), params: $0.params) },
            service: entry.map(entryBody))
    }

    private func unstartedBody(_ entry: QueueEntry) -> SweepBody {
        SweepBody(name: entry.name, kind: entry.kind.rawValue, state: entry.state.rawValue, storeState: nil,
                  metric: nil, goal: nil, createdAt: nil, finishedAt: nil, maxTrials: nil, trials: [:],
                  trialsTotal: 0, best: nil, service: entryBody(entry))
    }

    private func entryBody(_ entry: QueueEntry) -> ServiceEntryBody {
        ServiceEntryBody(id: entry.id, state: entry.state.rawValue, priority: entry.priority, maxSlots: entry.maxSlots,
                         slotsHeld: daemon.slotHoldings[entry.id] ?? 0, submittedAt: entry.submittedAt, error: entry.error)
    }

    private func storedSweep(_ name: String) throws -> Sweep {
        if let sweep = try store.sweep(named: name) { return sweep }
        if daemon.entry(named: name) != nil {
            throw APIError(status: .conflict, message: "sweep \(name) is queued and has not started yet")
        }
        throw APIError.notFound("no sweep named \(name)")
    }

    /// The `:name` path parameter, checked as spec names are (it names runs/<name>/).
    private func name(_ context: BasicRequestContext) throws -> String {
        let name = context.parameters.get("name") ?? ""
        guard SweepName.isValid(name) else {
            throw APIError.badRequest("a sweep name is letters, digits, '-', '_' or '.', not starting with '.' (got \(name))")
        }
        return name
    }

    private func int(_ query: Parameters, _ key: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = query.get(key) else { return value }
        guard let parsed = Int(text), range.contains(parsed) else {
            throw APIError.badRequest("\(key) must be an integer from \(range.lowerBound) to \(range.upperBound) (got \(text))")
        }
        return parsed
    }

    /// Maps the errors a handler may throw to their JSON responses (never a bare 500).
    private func guarded(_ body: () throws -> Response) throws -> Response {
        do { return try body() } catch let error as APIError {
            return APIResponse.error(error.status, error.message)
        } catch let error as ServiceDaemon.CommandError {
            switch error {
            case .notFound(let message): return APIResponse.error(.notFound, message)
            case .conflict(let message): return APIResponse.error(.conflict, message)
            }
        } catch let error as ConfigFileError {
            return APIResponse.specError(error)
        } catch {
            return APIResponse.error(.internalServerError, "\(error)")
        }
    }
}

/// What may name a sweep: the rule spec names follow, so a name never leaves runs/.
enum SweepName {
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 200 && !name.hasPrefix(".")
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}

/// The end of a trial's human log (`runs/<sweep>/trial-N/stderr.log`).
enum TrialLog {
    static func tail(runs: String, sweep: String, number: Int64, lines: Int) -> [String] {
        guard SweepName.isValid(sweep) else { return [] }
        let path = "\(runs)/\(sweep)/trial-\(number)/stderr.log"
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let window: UInt64 = 64 * 1024
        try? handle.seek(toOffset: size > window ? size - window : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        return Array(text.split(separator: "\n").map(String.init).suffix(lines))
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// The alert drill's fault switch: makes a share of the shop's answers server errors, so that an
/// operator can prove that an error spike reaches them.
///
/// It exists only when `GOMART_FAULT_SWITCH=true`, and only the operations listener can turn it:
/// `PUT /faults/server-errors?percent=10` fails 10 requests in every 100 (counted, not drawn at
/// random, so a drill is repeatable); `percent=0` turns it off. Health checks are never failed.
final class FaultSwitch: Sendable {
    private let percent = Atomic<Int>(0)
    private let requests = Atomic<Int>(0)

    /// Whether this request is to fail.
    func failsNext() -> Bool {
        let share = percent.load(ordering: .relaxed)
        guard share > 0 else { return false }
        return requests.wrappingAdd(1, ordering: .relaxed).oldValue % 100 < share
    }

    /// The route on the operations listener that sets the share.
    func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.put("/faults/server-errors") { request, _ -> Response in
            guard let text = request.uri.queryParameters["percent"], let value = Int(String(text)), (0...100).contains(value) else {
                throw HTTPError(.badRequest, message: "Give percent=0 to 100.")
            }
            self.percent.store(value, ordering: .relaxed)
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"serverErrorPercent":\#(value)}"#)))
        }
    }
}

/// Fails the requests the ``FaultSwitch`` picks with a 500, logged as an injected fault.
struct FaultInjectionMiddleware<Context: RequestContext>: RouterMiddleware {
    let faults: FaultSwitch

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !request.uri.path.hasPrefix("/health/"), faults.failsNext() else { return try await next(request, context) }
        context.logger.error("server error injected by the fault switch (GOMART_FAULT_SWITCH)")
        throw HTTPError(.internalServerError, message: "A fault injected for an alert drill.")
    }
}

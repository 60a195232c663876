import ConfigFiles
import Foundation
import Hummingbird

/// JSON responses and the error body every failure uses.
enum APIResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        do {
            let data = try encoder.encode(value)
            return Response(status: status, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        } catch {
            return self.error(.internalServerError, "cannot encode the response: \(error)")
        }
    }

    /// JSON written by hand (`TrialPageJSON`).
    static func data(_ data: Data) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String, source: String? = nil, line: Int? = nil,
                      field: String? = nil) -> Response {
        let body = ErrorBody(error: .init(message: message, source: source, line: line, field: field))
        let data = (try? encoder.encode(body)) ?? Data(#"{"error":{"message":"error"}}"#.utf8)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A spec error as a 400 naming the line and field of the submitted text.
    static func specError(_ error: ConfigFileError) -> Response {
        self.error(.badRequest, error.description, source: error.source, line: error.line, field: error.field)
    }
}

/// A request that cannot be answered; the handler turns it into its JSON error.
struct APIError: Error {
    var status: HTTPResponse.Status
    var message: String

    static func badRequest(_ message: String) -> APIError { APIError(status: .badRequest, message: message) }
    static func notFound(_ message: String) -> APIError { APIError(status: .notFound, message: message) }
}

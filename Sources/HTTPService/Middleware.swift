import Foundation
import HTTPTypes
import Hummingbird

/// Headers every response carries: a Content-Security-Policy that allows only this server's own resources (no
/// script at all), no MIME sniffing, no framing, no referrer.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do { response = try await next(request, context) } catch let error as HTTPError {
            response = Responses.text(error.body ?? "\(error.status)", status: error.status)
        }
        response.headers[.contentSecurityPolicy] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return response
    }
}

/// With a token configured, every route but `/healthz` needs it: `Authorization: Bearer <token>`, or the
/// `xraywatch_token` cookie that `/login` sets (SameSite=Strict, so another site's form cannot send it).
struct TokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/healthz" || path == "/login" { return try await next(request, context) }
        let bearer = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let cookie = request.headers[.cookie]?.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("xraywatch_token=") }.map { String($0.dropFirst("xraywatch_token=".count)) }
        guard let given = bearer ?? cookie, Self.constantTimeEqual(given, token) else {
            var response = Responses.text("a token is needed: Authorization: Bearer <token>, or sign in at /login", status: .unauthorized)
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        return try await next(request, context)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// State-changing requests from another site are refused: a POST whose `Origin` is not this server, or that
/// the browser marks as cross-site (`Sec-Fetch-Site`), gets 403. Clients that send neither (curl, scripts)
/// are not browsers carrying someone else's session.
struct SameOriginMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], !["same-origin", "none"].contains(site) {
            return Responses.text("cross-site request refused", status: .forbidden)
        }
        if let origin = request.headers[HTTPField.Name("Origin")!], let host = request.head.authority,
           origin != "http://" + host {
            return Responses.text("cross-site request refused (Origin \(origin))", status: .forbidden)
        }
        return try await next(request, context)
    }
}

/// Response helpers.
enum Responses {
    static func html(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func text(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    static func json(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: RowJSON.data(object))))
    }

    static func png(_ data: Data) -> Response {
        Response(status: .ok, headers: [.contentType: "image/png", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}

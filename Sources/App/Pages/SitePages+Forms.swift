import Foundation
import GoodcastCore
import Hummingbird

/// Forms that create and edit: a live, a challenge, the nonprofit's profile and payout details.
extension SitePages {
    func addFormRoutes(to router: Router<AppRequestContext>) {
    }
}

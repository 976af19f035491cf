import Foundation
import GoodcastCore
import Hummingbird

/// Giving programs: the public page of where the money went, and creators' invitations.
extension SitePages {
    func addProgramPageRoutes(to router: Router<AppRequestContext>) {
    }
}

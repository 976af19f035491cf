/// The pages' words in English, French and Italian. A key missing from a translation falls
/// back to English; a test checks that none is missing.
enum Strings {
    static let languageNames = ["en": "English", "fr": "Français", "it": "Italiano"]

    static func table(for language: String) -> [String: String] {
        switch language {
        case "fr": en.merging(fr) { _, translated in translated }
        case "it": en.merging(it) { _, translated in translated }
        default: en
        }
    }

    static let en: [String: String] = [
        "tagline": "Give where you watch: live fundraisers, challenges and donor stories for the causes you follow.",
        "home": "Home", "directory": "Nonprofits", "apply": "Register a nonprofit", "review": "Review queue",
        "signUp": "Sign up", "signIn": "Sign in", "signOut": "Sign out", "language": "Language",
        "handle": "Handle", "email": "Email", "password": "Password", "displayName": "Display name",
        "handleOrEmail": "Handle or email", "passwordHint": "At least 10 characters.",
        "createAccount": "Create account", "noAccount": "New here?", "haveAccount": "Already have an account?",
        "search": "Search", "searchPlaceholder": "Name of a nonprofit", "anyCause": "Any cause", "anyCountry": "Any country",
        "country": "Country", "cause": "Cause", "causes": "Causes", "followers": "followers",
        "follow": "Follow", "unfollow": "Unfollow", "website": "Website", "registrationNumber": "Registration number",
        "description": "About", "name": "Name", "submitApplication": "Submit for verification",
        "applyIntro": "Apply to receive donations on Goodcast. A platform admin checks your registration before your nonprofit is listed.",
        "noResults": "No verified nonprofit matches.", "previous": "Previous", "next": "Next", "page": "Page",
        "verify": "Verify", "reject": "Reject", "reason": "Reason", "pendingNone": "No applications are waiting.",
        "statusPending": "Waiting for verification", "statusVerified": "Verified", "statusRejected": "Rejected",
        "members": "Team", "addMember": "Add member", "role": "Role", "owner": "Owner", "member": "Member",
        "errorTitle": "Something is not right", "backHome": "Back to the home page",
        "signInToFollow": "Sign in to follow", "appliedBy": "Applied", "myNonprofits": "My nonprofits",
        "welcome": "Welcome", "browse": "Browse nonprofits",
        "cause.hunger": "Hunger", "cause.humanitarian-relief": "Humanitarian relief",
        "cause.health-and-wellbeing": "Health and wellbeing", "cause.education": "Education",
        "cause.environment": "Environment", "cause.animals": "Animals", "cause.childrens-rights": "Children's rights",
        "cause.arts-and-music": "Arts and music", "cause.community": "Community",
    ]

    static let fr: [String: String] = [
        "tagline": "Donnez là où vous regardez : collectes en direct, défis et stories de donateurs pour les causes que vous suivez.",
        "home": "Accueil", "directory": "Associations", "apply": "Inscrire une association", "review": "File de vérification",
        "signUp": "Créer un compte", "signIn": "Se connecter", "signOut": "Se déconnecter", "language": "Langue",
        "handle": "Identifiant", "email": "E-mail", "password": "Mot de passe", "displayName": "Nom affiché",
        "handleOrEmail": "Identifiant ou e-mail", "passwordHint": "Au moins 10 caractères.",
        "createAccount": "Créer le compte", "noAccount": "Nouveau ici ?", "haveAccount": "Déjà un compte ?",
        "search": "Rechercher", "searchPlaceholder": "Nom d’une association", "anyCause": "Toutes les causes", "anyCountry": "Tous les pays",
        "country": "Pays", "cause": "Cause", "causes": "Causes", "followers": "abonnés",
        "follow": "Suivre", "unfollow": "Ne plus suivre", "website": "Site web", "registrationNumber": "Numéro d’enregistrement",
        "description": "À propos", "name": "Nom", "submitApplication": "Envoyer pour vérification",
        "applyIntro": "Demandez à recevoir des dons sur Goodcast. Un administrateur vérifie votre enregistrement avant que votre association soit listée.",
        "noResults": "Aucune association vérifiée ne correspond.", "previous": "Précédent", "next": "Suivant", "page": "Page",
        "verify": "Vérifier", "reject": "Refuser", "reason": "Motif", "pendingNone": "Aucune demande en attente.",
        "statusPending": "En attente de vérification", "statusVerified": "Vérifiée", "statusRejected": "Refusée",
        "members": "Équipe", "addMember": "Ajouter un membre", "role": "Rôle", "owner": "Propriétaire", "member": "Membre",
        "errorTitle": "Quelque chose ne va pas", "backHome": "Retour à l’accueil",
        "signInToFollow": "Connectez-vous pour suivre", "appliedBy": "Demande du", "myNonprofits": "Mes associations",
        "welcome": "Bienvenue", "browse": "Parcourir les associations",
        "cause.hunger": "Faim", "cause.humanitarian-relief": "Aide humanitaire",
        "cause.health-and-wellbeing": "Santé et bien-être", "cause.education": "Éducation",
        "cause.environment": "Environnement", "cause.animals": "Animaux", "cause.childrens-rights": "Droits de l’enfant",
        "cause.arts-and-music": "Arts et musique", "cause.community": "Communauté",
    ]

    static let it: [String: String] = [
        "tagline": "Dona dove guardi: raccolte fondi in diretta, sfide e storie dei donatori per le cause che segui.",
        "home": "Home", "directory": "Organizzazioni", "apply": "Registra un’organizzazione", "review": "Coda di verifica",
        "signUp": "Registrati", "signIn": "Accedi", "signOut": "Esci", "language": "Lingua",
        "handle": "Nome utente", "email": "Email", "password": "Password", "displayName": "Nome visualizzato",
        "handleOrEmail": "Nome utente o email", "passwordHint": "Almeno 10 caratteri.",
        "createAccount": "Crea account", "noAccount": "Sei nuovo?", "haveAccount": "Hai già un account?",
        "search": "Cerca", "searchPlaceholder": "Nome di un’organizzazione", "anyCause": "Tutte le cause", "anyCountry": "Tutti i paesi",
        "country": "Paese", "cause": "Causa", "causes": "Cause", "followers": "follower",
        "follow": "Segui", "unfollow": "Non seguire più", "website": "Sito web", "registrationNumber": "Numero di registrazione",
        "description": "Chi siamo", "name": "Nome", "submitApplication": "Invia per la verifica",
        "applyIntro": "Chiedi di ricevere donazioni su Goodcast. Un amministratore controlla la registrazione prima che l’organizzazione compaia nell’elenco.",
        "noResults": "Nessuna organizzazione verificata corrisponde.", "previous": "Precedente", "next": "Successiva", "page": "Pagina",
        "verify": "Verifica", "reject": "Rifiuta", "reason": "Motivo", "pendingNone": "Nessuna richiesta in attesa.",
        "statusPending": "In attesa di verifica", "statusVerified": "Verificata", "statusRejected": "Rifiutata",
        "members": "Squadra", "addMember": "Aggiungi membro", "role": "Ruolo", "owner": "Titolare", "member": "Membro",
        "errorTitle": "Qualcosa non va", "backHome": "Torna alla home",
        "signInToFollow": "Accedi per seguire", "appliedBy": "Richiesta del", "myNonprofits": "Le mie organizzazioni",
        "welcome": "Benvenuto", "browse": "Sfoglia le organizzazioni",
        "cause.hunger": "Fame", "cause.humanitarian-relief": "Aiuti umanitari",
        "cause.health-and-wellbeing": "Salute e benessere", "cause.education": "Istruzione",
        "cause.environment": "Ambiente", "cause.animals": "Animali", "cause.childrens-rights": "Diritti dell’infanzia",
        "cause.arts-and-music": "Arte e musica", "cause.community": "Comunità",
    ]
}

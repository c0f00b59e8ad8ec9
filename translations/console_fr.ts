<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>Format</name>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/s</translation>
    </message>
</context>
<context>
    <name>confab::console::AdminClient</name>
    <message>
        <source>cannot read the CA file %1: %2</source>
        <translation>Impossible de lire le fichier d&apos;AC %1 : %2</translation>
    </message>
    <message>
        <source>the CA file %1 holds no PEM certificate</source>
        <translation>Le fichier d&apos;AC %1 ne contient aucun certificat PEM</translation>
    </message>
    <message>
        <source>TLS certificate not accepted: %1</source>
        <translation>Certificat TLS refusé : %1</translation>
    </message>
    <message>
        <source>The server refused the admin token (close code 4001)</source>
        <translation>Le serveur a refusé le jeton d&apos;administration (code de fermeture 4001)</translation>
    </message>
    <message>
        <source>The server closed the connection (code %1)</source>
        <translation>Le serveur a fermé la connexion (code %1)</translation>
    </message>
    <message>
        <source>The server closed the connection: %1</source>
        <translation>Le serveur a fermé la connexion : %1</translation>
    </message>
    <message>
        <source>not connected to a node</source>
        <translation>pas connecté à un nœud</translation>
    </message>
</context>
<context>
    <name>confab::console::AlertNotifier</name>
    <message>
        <source>Confab Console</source>
        <translation>Confab Console</translation>
    </message>
</context>
<context>
    <name>confab::console::AlertWatcher</name>
    <message>
        <source>Node %1 stopped answering</source>
        <translation>Le nœud %1 ne répond plus</translation>
    </message>
    <message numerus="yes">
        <source>%n new dead letter(s): a batch could not be written to object storage</source>
        <translation>
            <numerusform>%n nouvelle lettre morte : un lot n&apos;a pas pu être écrit dans le stockage objet</numerusform>
            <numerusform>%n nouvelles lettres mortes : des lots n&apos;ont pas pu être écrits dans le stockage objet</numerusform>
        </translation>
    </message>
    <message>
        <source>Lost the connection to %1: %2</source>
        <translation>Connexion à %1 perdue : %2</translation>
    </message>
    <message>
        <source>Node %1 is not ready: PostgreSQL, Redis or object storage does not answer it</source>
        <translation>Le nœud %1 n’est pas prêt : PostgreSQL, Redis ou le stockage objet ne lui répond pas</translation>
    </message>
</context>
<context>
    <name>confab::console::AppDialog</name>
    <message>
        <source>Edit app %1</source>
        <translation>Modifier l&apos;app %1</translation>
    </message>
    <message>
        <source>New app</source>
        <translation>Nouvelle app</translation>
    </message>
    <message>
        <source>App name</source>
        <translation>Nom de l&apos;app</translation>
    </message>
    <message>
        <source>OIDC issuer</source>
        <translation>Émetteur OIDC</translation>
    </message>
    <message>
        <source>none (https://login.example.com/)</source>
        <translation>aucun (https://login.example.com/)</translation>
    </message>
    <message>
        <source>OIDC audience</source>
        <translation>Audience OIDC</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nom :</translation>
    </message>
    <message>
        <source>OIDC &amp;issuer:</source>
        <translation>&amp;Émetteur OIDC :</translation>
    </message>
    <message>
        <source>OIDC &amp;audience:</source>
        <translation>&amp;Audience OIDC :</translation>
    </message>
    <message>
        <source>Limits (empty: the node&apos;s default; 0 disables)</source>
        <translation>Limites (vide : valeur par défaut du nœud ; 0 désactive)</translation>
    </message>
    <message>
        <source>default %1</source>
        <translation>défaut %1</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Enregistrer</translation>
    </message>
    <message>
        <source>C&amp;reate</source>
        <translation>&amp;Créer</translation>
    </message>
    <message>
        <source>Enter a name.</source>
        <translation>Saisissez un nom.</translation>
    </message>
    <message>
        <source>The OIDC issuer must be an http(s) URL.</source>
        <translation>L&apos;émetteur OIDC doit être une URL http(s).</translation>
    </message>
    <message>
        <source>An OIDC issuer needs an audience.</source>
        <translation>Un émetteur OIDC nécessite une audience.</translation>
    </message>
</context>
<context>
    <name>confab::console::AppsModel</name>
    <message>
        <source>defaults</source>
        <translation>par défaut</translation>
    </message>
    <message>
        <source>none</source>
        <translation>aucun</translation>
    </message>
    <message>
        <source>App id: %1</source>
        <translation>ID de l&apos;app : %1</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>App id</source>
        <translation>ID de l&apos;app</translation>
    </message>
    <message>
        <source>OIDC issuer</source>
        <translation>Émetteur OIDC</translation>
    </message>
    <message>
        <source>OIDC audience</source>
        <translation>Audience OIDC</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>Limites</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Connexions</translation>
    </message>
    <message>
        <source>Ingest</source>
        <translation>Entrée</translation>
    </message>
    <message>
        <source>Dead letters</source>
        <translation>Lettres mortes</translation>
    </message>
</context>
<context>
    <name>confab::console::AppsPage</name>
    <message>
        <source>Apps</source>
        <translation>Apps</translation>
    </message>
    <message>
        <source>&amp;New app…</source>
        <translation>&amp;Nouvelle app…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Modifier…</translation>
    </message>
    <message>
        <source>API &amp;keys…</source>
        <translation>&amp;Clés API…</translation>
    </message>
    <message>
        <source>De&amp;lete…</source>
        <translation>&amp;Supprimer…</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>&amp;Actualiser</translation>
    </message>
    <message>
        <source>Listing apps failed: %1</source>
        <translation>Échec de la liste des apps : %1</translation>
    </message>
    <message>
        <source>Creating the app failed: %1</source>
        <translation>Échec de la création de l&apos;app : %1</translation>
    </message>
    <message>
        <source>Created app %1 (%2).</source>
        <translation>App %1 (%2) créée.</translation>
    </message>
    <message>
        <source>Saved app %1.</source>
        <translation>App %1 enregistrée.</translation>
    </message>
    <message>
        <source>Saving app %1 failed: %2</source>
        <translation>Échec de l&apos;enregistrement de l&apos;app %1 : %2</translation>
    </message>
    <message>
        <source>Delete app %1 (%2)?</source>
        <translation>Supprimer l&apos;app %1 (%2) ?</translation>
    </message>
    <message>
        <source>This deletes for good: %1 (with %2), %3 in the history (%4), and %5. Sessions using its keys close at once; nothing of the app can be restored.</source>
        <translation>Seront supprimés définitivement : %1 (avec %2), %3 dans l&apos;historique (%4) et %5. Les sessions utilisant ses clés sont fermées aussitôt ; rien de l&apos;app ne pourra être restauré.</translation>
    </message>
    <message numerus="yes">
        <source>%n conversation(s)</source>
        <translation>
            <numerusform>%n conversation</numerusform>
            <numerusform>%n conversations</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n membership(s)</source>
        <translation>
            <numerusform>%n adhésion</numerusform>
            <numerusform>%n adhésions</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n message(s)</source>
        <translation>
            <numerusform>%n message</numerusform>
            <numerusform>%n messages</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n segment(s)</source>
        <translation>
            <numerusform>%n segment</numerusform>
            <numerusform>%n segments</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n API key(s)</source>
        <translation>
            <numerusform>%n clé API</numerusform>
            <numerusform>%n clés API</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n dead letter(s) of the app are dropped.</source>
        <translation>
            <numerusform>%n lettre morte de l&apos;app est abandonnée.</numerusform>
            <numerusform>%n lettres mortes de l&apos;app sont abandonnées.</numerusform>
        </translation>
    </message>
    <message>
        <source>Reading app %1 failed: %2</source>
        <translation>Échec de la lecture de l&apos;app %1 : %2</translation>
    </message>
    <message>
        <source>Delete app</source>
        <translation>Supprimer l&apos;app</translation>
    </message>
    <message>
        <source>Delete %1</source>
        <translation>Supprimer %1</translation>
    </message>
    <message>
        <source>Deleted app %1.</source>
        <translation>App %1 supprimée.</translation>
    </message>
    <message>
        <source>Deleting app %1 failed: %2</source>
        <translation>Échec de la suppression de l&apos;app %1 : %2</translation>
    </message>
</context>
<context>
    <name>confab::console::ConnectDialog</name>
    <message>
        <source>CA certificate file</source>
        <translation>Fichier de certificat d&apos;AC</translation>
    </message>
    <message>
        <source>System certificate store</source>
        <translation>Magasin de certificats du système</translation>
    </message>
    <message>
        <source>For a wss:// URL whose certificate comes from a private CA: a PEM file with that CA&apos;s certificate. The server&apos;s certificate is always verified.</source>
        <translation>Pour une URL wss:// dont le certificat vient d&apos;une AC privée : un fichier PEM contenant le certificat de cette AC. Le certificat du serveur est toujours vérifié.</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Parcourir…</translation>
    </message>
    <message>
        <source>Choose a CA certificate file</source>
        <translation>Choisir un fichier de certificat d&apos;AC</translation>
    </message>
    <message>
        <source>CA &amp;file (wss://):</source>
        <translation>&amp;Fichier d&apos;AC (wss://) :</translation>
    </message>
    <message>
        <source>CA certificate</source>
        <translation>Certificat d&apos;AC</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt);;All files (*)</source>
        <translation>Certificats PEM (*.pem *.crt);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>A CA file is for wss:// URLs only.</source>
        <translation>Un fichier d&apos;AC ne sert qu&apos;aux URL wss://.</translation>
    </message>
    <message>
        <source>Connect to a Confab node</source>
        <translation>Se connecter à un nœud Confab</translation>
    </message>
    <message>
        <source>Saved profile</source>
        <translation>Profil enregistré</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Supprimer</translation>
    </message>
    <message>
        <source>Remove the saved profile</source>
        <translation>Supprimer le profil enregistré</translation>
    </message>
    <message>
        <source>Profile name</source>
        <translation>Nom du profil</translation>
    </message>
    <message>
        <source>production eu-1</source>
        <translation>production eu-1</translation>
    </message>
    <message>
        <source>Admin WebSocket URL</source>
        <translation>URL du WebSocket d&apos;administration</translation>
    </message>
    <message>
        <source>Admin token</source>
        <translation>Jeton d&apos;administration</translation>
    </message>
    <message>
        <source>&amp;Save this profile (the token goes to the system keychain)</source>
        <translation>&amp;Enregistrer ce profil (le jeton va dans le trousseau du système)</translation>
    </message>
    <message>
        <source>Connection dialog message</source>
        <translation>Message de la boîte de connexion</translation>
    </message>
    <message>
        <source>&amp;Profile:</source>
        <translation>&amp;Profil :</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nom :</translation>
    </message>
    <message>
        <source>&amp;URL:</source>
        <translation>&amp;URL :</translation>
    </message>
    <message>
        <source>Admin &amp;token:</source>
        <translation>&amp;Jeton d&apos;administration :</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>&amp;Connecter</translation>
    </message>
    <message>
        <source>Enter a ws:// or wss:// URL with a host and no credentials, for example ws://127.0.0.1:8081/admin/ws.</source>
        <translation>Saisissez une URL ws:// ou wss:// avec un hôte et sans identifiants, par exemple ws://127.0.0.1:8081/admin/ws.</translation>
    </message>
    <message>
        <source>New profile</source>
        <translation>Nouveau profil</translation>
    </message>
    <message>
        <source>Removed profile %1 and its token.</source>
        <translation>Profil %1 et son jeton supprimés.</translation>
    </message>
</context>
<context>
    <name>confab::console::ConversationPage</name>
    <message>
        <source>App</source>
        <translation>Application</translation>
    </message>
    <message>
        <source>conversation id</source>
        <translation>identifiant de conversation</translation>
    </message>
    <message>
        <source>Conversation id</source>
        <translation>Identifiant de conversation</translation>
    </message>
    <message>
        <source>&amp;Inspect</source>
        <translation>&amp;Inspecter</translation>
    </message>
    <message>
        <source>Choose an app and a conversation.</source>
        <translation>Choisissez une application et une conversation.</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Membres</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <source>&amp;Read messages</source>
        <translation>&amp;Lire les messages</translation>
    </message>
    <message>
        <source>Show the newest messages; the server logs this read with your operator name</source>
        <translation>Afficher les messages les plus récents ; le serveur journalise cette lecture avec votre nom d’opérateur</translation>
    </message>
    <message>
        <source>&amp;Older</source>
        <translation>Plus &amp;anciens</translation>
    </message>
    <message>
        <source>Show the page before the oldest message shown</source>
        <translation>Afficher la page précédant le plus ancien message affiché</translation>
    </message>
    <message>
        <source>App:</source>
        <translation>Application :</translation>
    </message>
    <message>
        <source>Conversation:</source>
        <translation>Conversation :</translation>
    </message>
    <message>
        <source>Members and watermarks</source>
        <translation>Membres et filigranes</translation>
    </message>
    <message>
        <source>Inspection failed: %1</source>
        <translation>Échec de l’inspection : %1</translation>
    </message>
    <message>
        <source>direct</source>
        <translation>Directe</translation>
    </message>
    <message>
        <source>group</source>
        <translation>De groupe</translation>
    </message>
    <message numerus="yes">
        <source>%1 conversation “%2”, owner %3, created %4; last seq_no %5; %n member(s).</source>
        <translation>
            <numerusform>Conversation %1 « %2 », propriétaire %3, créée le %4 ; dernier seq_no %5 ; %n membre.</numerusform>
            <numerusform>Conversation %1 « %2 », propriétaire %3, créée le %4 ; dernier seq_no %5 ; %n membres.</numerusform>
        </translation>
    </message>
    <message>
        <source>untitled</source>
        <translation>sans titre</translation>
    </message>
    <message>
        <source>none</source>
        <translation>aucun</translation>
    </message>
    <message>
        <source>nothing waits</source>
        <translation>rien n’attend</translation>
    </message>
    <message>
        <source>the oldest waits for %1</source>
        <translation>le plus ancien attend depuis %1</translation>
    </message>
    <message>
        <source>Flushed through seq_no %1; %2 unflushed; %3 entries in the Redis tail; %4.</source>
        <translation>Écrit jusqu’au seq_no %1 ; %2 non écrits ; %3 entrées dans la file Redis ; %4.</translation>
    </message>
    <message numerus="yes">
        <source>%n message(s) shown; this read is logged on the server as %1.</source>
        <translation>
            <numerusform>%n message affiché ; cette lecture est journalisée sur le serveur au nom de %1.</numerusform>
            <numerusform>%n messages affichés ; cette lecture est journalisée sur le serveur au nom de %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>Reading messages failed: %1</source>
        <translation>Échec de la lecture des messages : %1</translation>
    </message>
</context>
<context>
    <name>confab::console::DeadLetterBatch</name>
    <message>
        <source>not connected</source>
        <translation>non connecté</translation>
    </message>
</context>
<context>
    <name>confab::console::DeadLettersModel</name>
    <message>
        <source>Webhook events of this conversation that failed for the whole retry window: retry sends them again, discard drops them.</source>
        <translation>Événements webhook de cette conversation en échec pendant toute la fenêtre de réessai : réessayer les renvoie, abandonner les supprime.</translation>
    </message>
    <message>
        <source>Messages of this conversation not yet written to object storage: retry flushes them again; they stay readable meanwhile.</source>
        <translation>Messages de cette conversation pas encore écrits dans le stockage objet : réessayer les écrit à nouveau ; ils restent lisibles entre-temps.</translation>
    </message>
    <message>
        <source>%1 – %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message>
        <source>Dead letter %1</source>
        <translation>Lettre morte %1</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>App</source>
        <translation>Application</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Conversation</translation>
    </message>
    <message>
        <source>Seq range</source>
        <translation>Plage de séq.</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Tentatives</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Erreur</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Créée</translation>
    </message>
    <message>
        <source>Last attempt</source>
        <translation>Dernière tentative</translation>
    </message>
    <message>
        <source>App id: %1</source>
        <translation>ID de l&apos;app : %1</translation>
    </message>
</context>
<context>
    <name>confab::console::DeadLettersPage</name>
    <message>
        <source>Dead letters</source>
        <translation>Lettres mortes</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>&amp;Réessayer</translation>
    </message>
    <message>
        <source>Write the selected batches to object storage again (Ctrl+R)</source>
        <translation>Réécrire les lots sélectionnés dans le stockage objet (Ctrl+R)</translation>
    </message>
    <message>
        <source>Retry the selected dead letters</source>
        <translation>Réessayer les lettres mortes sélectionnées</translation>
    </message>
    <message>
        <source>&amp;Discard…</source>
        <translation>&amp;Abandonner…</translation>
    </message>
    <message>
        <source>Give up on the selected batches (Del)</source>
        <translation>Abandonner les lots sélectionnés (Suppr)</translation>
    </message>
    <message>
        <source>Discard the selected dead letters</source>
        <translation>Abandonner les lettres mortes sélectionnées</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>Actua&amp;liser</translation>
    </message>
    <message>
        <source>List the dead letters again (F5)</source>
        <translation>Lister à nouveau les lettres mortes (F5)</translation>
    </message>
    <message>
        <source>Refresh the dead letters</source>
        <translation>Actualiser les lettres mortes</translation>
    </message>
    <message>
        <source>No dead letters: every batch reached object storage.</source>
        <translation>Aucune lettre morte : chaque lot a atteint le stockage objet.</translation>
    </message>
    <message>
        <source>Discard dead letters</source>
        <translation>Abandonner des lettres mortes</translation>
    </message>
    <message numerus="yes">
        <source>Discard %n dead letter(s)?</source>
        <translation>
            <numerusform>Abandonner %n lettre morte ?</numerusform>
            <numerusform>Abandonner %n lettres mortes ?</numerusform>
        </translation>
    </message>
    <message>
        <source>Discarding gives up on writing these messages to object storage. They stay readable only while they are in the Redis tail, and are then missing from the history for good. Retry instead if the storage problem is fixed. This cannot be undone.</source>
        <translation>Abandonner renonce à écrire ces messages dans le stockage objet. Ils restent lisibles uniquement tant qu&apos;ils sont dans la file Redis, puis manquent définitivement à l&apos;historique. Réessayez plutôt si le problème de stockage est résolu. Cette action est irréversible.</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Abandonner</translation>
    </message>
</context>
<context>
    <name>confab::console::KeysDialog</name>
    <message>
        <source>API keys of %1</source>
        <translation>Clés API de %1</translation>
    </message>
    <message>
        <source>API keys</source>
        <translation>Clés API</translation>
    </message>
    <message>
        <source>&amp;Issue key…</source>
        <translation>&amp;Émettre une clé…</translation>
    </message>
    <message>
        <source>R&amp;otate…</source>
        <translation>&amp;Renouveler…</translation>
    </message>
    <message>
        <source>Issue a new key; the selected one keeps working for a grace period</source>
        <translation>Émettre une nouvelle clé ; la clé choisie reste valable pendant un délai de grâce</translation>
    </message>
    <message>
        <source>Re&amp;voke…</source>
        <translation>Ré&amp;voquer…</translation>
    </message>
    <message>
        <source>The key stops working at once; its sessions close</source>
        <translation>La clé cesse de fonctionner aussitôt ; ses sessions sont fermées</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>&amp;Actualiser</translation>
    </message>
    <message>
        <source>Listing keys failed: %1</source>
        <translation>Échec de la liste des clés : %1</translation>
    </message>
    <message>
        <source>Issue key</source>
        <translation>Émettre une clé</translation>
    </message>
    <message>
        <source>Label (who uses the key):</source>
        <translation>Libellé (qui utilise la clé) :</translation>
    </message>
    <message>
        <source>Issuing a key failed: %1</source>
        <translation>Échec de l&apos;émission d&apos;une clé : %1</translation>
    </message>
    <message>
        <source>Issued key %1.</source>
        <translation>Clé %1 émise.</translation>
    </message>
    <message>
        <source>Rotate key</source>
        <translation>Renouveler la clé</translation>
    </message>
    <message>
        <source>The old key keeps working for (hours, 0: stops at once):</source>
        <translation>L&apos;ancienne clé reste valable pendant (heures, 0 : arrêt immédiat) :</translation>
    </message>
    <message>
        <source>Rotating %1 failed: %2</source>
        <translation>Échec du renouvellement de %1 : %2</translation>
    </message>
    <message>
        <source>Rotated %1: the new key is %2.</source>
        <translation>%1 renouvelée : la nouvelle clé est %2.</translation>
    </message>
    <message>
        <source>Revoke key</source>
        <translation>Révoquer la clé</translation>
    </message>
    <message>
        <source>Revoke %1? It stops working at once and every session using it closes. This cannot be undone.</source>
        <translation>Révoquer %1 ? Elle cesse aussitôt de fonctionner et toute session qui l’utilise est fermée. C’est irréversible.</translation>
    </message>
    <message>
        <source>Revoked %1.</source>
        <translation>%1 révoquée.</translation>
    </message>
    <message>
        <source>Revoking %1 failed: %2</source>
        <translation>Échec de la révocation de %1 : %2</translation>
    </message>
</context>
<context>
    <name>confab::console::KeysModel</name>
    <message>
        <source>not recorded</source>
        <translation>non enregistré</translation>
    </message>
    <message>
        <source>never</source>
        <translation>jamais</translation>
    </message>
    <message>
        <source>Rotated: this key stops working at %1</source>
        <translation>Renouvelée : cette clé cesse de fonctionner le %1</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Libellé</translation>
    </message>
    <message>
        <source>Key id</source>
        <translation>ID de clé</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Créée</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>Dernière utilisation</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>Expire</translation>
    </message>
</context>
<context>
    <name>confab::console::MainWindow</name>
    <message>
        <source>Confab Console</source>
        <translation>Console Confab</translation>
    </message>
    <message>
        <source>Views</source>
        <translation>Vues</translation>
    </message>
    <message>
        <source>&amp;Overview</source>
        <translation>&amp;Vue d&apos;ensemble</translation>
    </message>
    <message>
        <source>&amp;Streams</source>
        <translation>&amp;Flux</translation>
    </message>
    <message>
        <source>&amp;Dead letters</source>
        <translation>&amp;Lettres mortes</translation>
    </message>
    <message>
        <source>Connection state</source>
        <translation>État de la connexion</translation>
    </message>
    <message>
        <source>Action in progress</source>
        <translation>Action en cours</translation>
    </message>
    <message>
        <source>Result of the last action</source>
        <translation>Résultat de la dernière action</translation>
    </message>
    <message>
        <source>&amp;Server</source>
        <translation>&amp;Serveur</translation>
    </message>
    <message>
        <source>&amp;Connect…</source>
        <translation>&amp;Connecter…</translation>
    </message>
    <message>
        <source>&amp;Disconnect</source>
        <translation>&amp;Déconnecter</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;Actions</source>
        <translation>&amp;Actions</translation>
    </message>
    <message>
        <source>&amp;Flush now</source>
        <translation>&amp;Vider maintenant</translation>
    </message>
    <message>
        <source>Write every open segment to object storage now (Ctrl+Shift+F)</source>
        <translation>Écrire maintenant chaque segment ouvert dans le stockage objet (Ctrl+Maj+F)</translation>
    </message>
    <message>
        <source>Run &amp;retention</source>
        <translation>Lancer la &amp;rétention</translation>
    </message>
    <message>
        <source>Delete segments older than the retention period now (Ctrl+Shift+R)</source>
        <translation>Supprimer maintenant les segments plus anciens que la durée de rétention (Ctrl+Maj+R)</translation>
    </message>
    <message>
        <source>Refresh &amp;dead letters</source>
        <translation>Actualiser les &amp;lettres mortes</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>Affic&amp;hage</translation>
    </message>
    <message>
        <source>&amp;Filter streams</source>
        <translation>&amp;Filtrer les flux</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>Lan&amp;gue</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Aide</translation>
    </message>
    <message>
        <source>&amp;About Confab Console</source>
        <translation>À &amp;propos de Confab Console</translation>
    </message>
    <message>
        <source>About Confab Console</source>
        <translation>À propos de Confab Console</translation>
    </message>
    <message>
        <source>Confab Console %1</source>
        <translation>Confab Console %1</translation>
    </message>
    <message>
        <source>Commit %1. The operator console of the Confab messaging server, licensed under the Apache License 2.0.</source>
        <translation>Commit %1. La console d’exploitation du serveur de messagerie Confab, sous licence Apache 2.0.</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Langue du système</translation>
    </message>
    <message>
        <source>English</source>
        <translation>Anglais</translation>
    </message>
    <message>
        <source>German</source>
        <translation>Allemand</translation>
    </message>
    <message>
        <source>French</source>
        <translation>Français</translation>
    </message>
    <message>
        <source>The language changes when the console is restarted.</source>
        <translation>La langue change au prochain démarrage de la console.</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>Barre d&apos;outils principale</translation>
    </message>
    <message>
        <source>Reading the token of %1 from the keychain…</source>
        <translation>Lecture du jeton de %1 dans le trousseau…</translation>
    </message>
    <message>
        <source>Not connected. Use Server › Connect (Ctrl+O).</source>
        <translation>Non connecté. Utilisez Serveur › Connecter (Ctrl+O).</translation>
    </message>
    <message>
        <source>Disconnected from %1: %2</source>
        <translation>Déconnecté de %1 : %2</translation>
    </message>
    <message>
        <source>Connecting to %1 (%2)…</source>
        <translation>Connexion à %1 (%2)…</translation>
    </message>
    <message>
        <source>Connected to %1 (%2)</source>
        <translation>Connecté à %1 (%2)</translation>
    </message>
    <message>
        <source>Connection to %1 lost (%2). Reconnecting in %3 s, attempt %4…</source>
        <translation>Connexion à %1 perdue (%2). Reconnexion dans %3 s, tentative %4…</translation>
    </message>
    <message>
        <source>Listing dead letters failed: %1</source>
        <translation>Échec de la liste des lettres mortes : %1</translation>
    </message>
    <message>
        <source>Flushing every open segment…</source>
        <translation>Vidage de chaque segment ouvert…</translation>
    </message>
    <message>
        <source>Flush failed: %1</source>
        <translation>Échec du vidage : %1</translation>
    </message>
    <message numerus="yes">
        <source>Flush finished: %n segment(s) written.</source>
        <translation>
            <numerusform>Vidage terminé : %n segment écrit.</numerusform>
            <numerusform>Vidage terminé : %n segments écrits.</numerusform>
        </translation>
    </message>
    <message>
        <source>Running retention…</source>
        <translation>Rétention en cours…</translation>
    </message>
    <message>
        <source>Retention failed: %1</source>
        <translation>Échec de la rétention : %1</translation>
    </message>
    <message numerus="yes">
        <source>Retention finished: %n segment(s) deleted.</source>
        <translation>
            <numerusform>Rétention terminée : %n segment supprimé.</numerusform>
            <numerusform>Rétention terminée : %n segments supprimés.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Retrying %n dead letter(s)…</source>
        <translation>
            <numerusform>Nouvel essai de %n lettre morte…</numerusform>
            <numerusform>Nouvel essai de %n lettres mortes…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Discarding %n dead letter(s)…</source>
        <translation>
            <numerusform>Abandon de %n lettre morte…</numerusform>
            <numerusform>Abandon de %n lettres mortes…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Retried %n dead letter(s).</source>
        <translation>
            <numerusform>%n lettre morte réessayée.</numerusform>
            <numerusform>%n lettres mortes réessayées.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Discarded %n dead letter(s).</source>
        <translation>
            <numerusform>%n lettre morte abandonnée.</numerusform>
            <numerusform>%n lettres mortes abandonnées.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed: %1</source>
        <translation>
            <numerusform>%n en échec : %1</numerusform>
            <numerusform>%n en échec : %1</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Dead letters (%1)</source>
        <translation>&amp;Lettres mortes (%1)</translation>
    </message>
    <message numerus="yes">
        <source>%n batch(es) could not be written to object storage</source>
        <translation>
            <numerusform>%n lot n&apos;a pas pu être écrit dans le stockage objet</numerusform>
            <numerusform>%n lots n&apos;ont pas pu être écrits dans le stockage objet</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n stream(s) falling behind</source>
        <translation>
            <numerusform>%n flux en retard</numerusform>
            <numerusform>%n flux en retard</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Apps</source>
        <translation>&amp;Apps</translation>
    </message>
    <message>
        <source>Copy app &amp;id</source>
        <translation>Copier l&apos;&amp;ID de l&apos;app</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>Alerte</translation>
    </message>
    <message>
        <source>Copied app id %1.</source>
        <translation>ID de l&apos;app %1 copié.</translation>
    </message>
    <message>
        <source>&amp;Users</source>
        <translation>&amp;Utilisateurs</translation>
    </message>
    <message>
        <source>Co&amp;nversations</source>
        <translation>Co&amp;nversations</translation>
    </message>
    <message>
        <source>Send &amp;notice…</source>
        <translation>Envoyer un &amp;avis…</translation>
    </message>
    <message>
        <source>Tell every session of an app, or of every app, something (Ctrl+Shift+N)</source>
        <translation>Informer toutes les sessions d’une application, ou de toutes, de quelque chose (Ctrl+Maj+N)</translation>
    </message>
</context>
<context>
    <name>confab::console::MembersModel</name>
    <message>
        <source>Member</source>
        <translation>Membre</translation>
    </message>
    <message>
        <source>Delivered up to</source>
        <translation>Remis jusqu’à</translation>
    </message>
    <message>
        <source>Read up to</source>
        <translation>Lu jusqu’à</translation>
    </message>
    <message>
        <source>Unread</source>
        <translation>Non lus</translation>
    </message>
</context>
<context>
    <name>confab::console::MessagesModel</name>
    <message>
        <source>Seq</source>
        <translation>Seq</translation>
    </message>
    <message>
        <source>Sender</source>
        <translation>Expéditeur</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Envoyé</translation>
    </message>
    <message>
        <source>Content</source>
        <translation>Contenu</translation>
    </message>
</context>
<context>
    <name>confab::console::NewKeyDialog</name>
    <message>
        <source>New API key %1</source>
        <translation>Nouvelle clé API %1</translation>
    </message>
    <message>
        <source>Copy this key now and keep it safe. It cannot be shown again: the server stores only a hash of it.</source>
        <translation>Copiez cette clé maintenant et conservez-la en lieu sûr. Elle ne pourra plus être affichée : le serveur n&apos;en garde qu&apos;une empreinte.</translation>
    </message>
    <message>
        <source>New API key</source>
        <translation>Nouvelle clé API</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Copier</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Copiée</translation>
    </message>
</context>
<context>
    <name>confab::console::NodesModel</name>
    <message>
        <source>The node this console is connected to</source>
        <translation>Le nœud auquel cette console est connectée</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Nœud</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Connexions</translation>
    </message>
</context>
<context>
    <name>confab::console::NoticeDialog</name>
    <message>
        <source>Send notice</source>
        <translation>Envoyer un avis</translation>
    </message>
    <message>
        <source>Send to</source>
        <translation>Envoyer à</translation>
    </message>
    <message>
        <source>Every app</source>
        <translation>Toutes les applications</translation>
    </message>
    <message>
        <source>App %1</source>
        <translation>Application %1</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>What clients may act on: a-z, 0-9 and _</source>
        <translation>Ce sur quoi les clients peuvent agir : a-z, 0-9 et _</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Message</translation>
    </message>
    <message>
        <source>What every session is told, e.g. “Maintenance at 22:00 UTC”</source>
        <translation>Ce que chaque session reçoit, p. ex. « Maintenance à 22 h UTC »</translation>
    </message>
    <message>
        <source>Send &amp;to:</source>
        <translation>Envoyer &amp;à :</translation>
    </message>
    <message>
        <source>&amp;Code:</source>
        <translation>&amp;Code :</translation>
    </message>
    <message>
        <source>&amp;Message:</source>
        <translation>&amp;Message :</translation>
    </message>
    <message>
        <source>&amp;Send…</source>
        <translation>&amp;Envoyer…</translation>
    </message>
    <message>
        <source>every session of every app</source>
        <translation>toutes les sessions de toutes les applications</translation>
    </message>
    <message>
        <source>every session of app %1</source>
        <translation>toutes les sessions de l’application %1</translation>
    </message>
    <message>
        <source>Send this notice to %1?</source>
        <translation>Envoyer cet avis à %1 ?</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message numerus="yes">
        <source>Notice sent to %1 (%n node(s) reached).</source>
        <translation>
            <numerusform>Avis envoyé à %1 (%n nœud atteint).</numerusform>
            <numerusform>Avis envoyé à %1 (%n nœuds atteints).</numerusform>
        </translation>
    </message>
    <message>
        <source>Sending failed: %1</source>
        <translation>Échec de l’envoi : %1</translation>
    </message>
    <message>
        <source>%1 of %2 characters</source>
        <translation>%1 sur %2 caractères</translation>
    </message>
</context>
<context>
    <name>confab::console::OverviewPage</name>
    <message>
        <source>Connections</source>
        <translation>Connexions</translation>
    </message>
    <message>
        <source>Ingest</source>
        <translation>Entrée</translation>
    </message>
    <message>
        <source>Stream depth</source>
        <translation>Profondeur des flux</translation>
    </message>
    <message>
        <source>Dead letters</source>
        <translation>Lettres mortes</translation>
    </message>
    <message>
        <source>Redis memory</source>
        <translation>Mémoire Redis</translation>
    </message>
    <message>
        <source>Flush p50</source>
        <translation>Vidage p50</translation>
    </message>
    <message>
        <source>Flush p95</source>
        <translation>Vidage p95</translation>
    </message>
    <message>
        <source>Flush p99</source>
        <translation>Vidage p99</translation>
    </message>
    <message>
        <source>Last flush</source>
        <translation>Dernier vidage</translation>
    </message>
    <message>
        <source>Segments written</source>
        <translation>Segments écrits</translation>
    </message>
    <message>
        <source>messages</source>
        <translation>messages</translation>
    </message>
    <message>
        <source>depth</source>
        <translation>profondeur</translation>
    </message>
    <message>
        <source>Flush latency</source>
        <translation>Latence de vidage</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <source>Ingest rate</source>
        <translation>Débit d&apos;entrée</translation>
    </message>
    <message>
        <source>messages/s</source>
        <translation>messages/s</translation>
    </message>
    <message>
        <source>ingest</source>
        <translation>entrée</translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation>Nœuds</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>App shown in the charts</source>
        <translation>App affichée dans les graphiques</translation>
    </message>
    <message>
        <source>All apps</source>
        <translation>Toutes les apps</translation>
    </message>
    <message>
        <source>Charts for:</source>
        <translation>Graphiques pour :</translation>
    </message>
    <message>
        <source>App id: %1</source>
        <translation>ID de l&apos;app : %1</translation>
    </message>
</context>
<context>
    <name>confab::console::ProfileStore</name>
    <message>
        <source>No token saved for %1</source>
        <translation>Aucun jeton enregistré pour %1</translation>
    </message>
    <message>
        <source>Could not read the token of %1 from the keychain: %2</source>
        <translation>Impossible de lire le jeton de %1 dans le trousseau : %2</translation>
    </message>
    <message>
        <source>No system keychain to save the token of %1 (%2): the profile is saved without it and this session stays connected; type the token again at the next connect.</source>
        <translation>Aucun trousseau système pour enregistrer le jeton de %1 (%2) : le profil est enregistré sans lui et cette session reste connectée ; saisissez le jeton à la prochaine connexion.</translation>
    </message>
</context>
<context>
    <name>confab::console::SessionsModel</name>
    <message>
        <source>unknown</source>
        <translation>inconnu</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Session</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Nœud</translation>
    </message>
    <message>
        <source>Connected since</source>
        <translation>Connecté depuis</translation>
    </message>
</context>
<context>
    <name>confab::console::StreamsModel</name>
    <message>
        <source>Falls behind: the oldest unflushed record is %1 old (limit %2)</source>
        <translation>En retard : l&apos;enregistrement non vidé le plus ancien a %1 (limite %2)</translation>
    </message>
    <message>
        <source>App</source>
        <translation>Application</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Conversation</translation>
    </message>
    <message>
        <source>Depth</source>
        <translation>Profondeur</translation>
    </message>
    <message>
        <source>Oldest unflushed</source>
        <translation>Plus ancien non vidé</translation>
    </message>
    <message>
        <source>App id: %1</source>
        <translation>ID de l&apos;app : %1</translation>
    </message>
</context>
<context>
    <name>confab::console::StreamsPage</name>
    <message>
        <source>Filter by app or conversation (Ctrl+F)</source>
        <translation>Filtrer par application ou conversation (Ctrl+F)</translation>
    </message>
    <message>
        <source>Filter streams</source>
        <translation>Filtrer les flux</translation>
    </message>
    <message>
        <source>Only streams falling &amp;behind</source>
        <translation>Seulement les flux en &amp;retard</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Falls behind after</source>
        <translation>En retard après</translation>
    </message>
    <message>
        <source>Falls behind &amp;after:</source>
        <translation>En retard &amp;après :</translation>
    </message>
    <message>
        <source>Streams summary</source>
        <translation>Résumé des flux</translation>
    </message>
    <message>
        <source>Streams</source>
        <translation>Flux</translation>
    </message>
    <message numerus="yes">
        <source>%n stream(s)</source>
        <translation>
            <numerusform>%n flux</numerusform>
            <numerusform>%n flux</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n falling behind</source>
        <translation>
            <numerusform>%n en retard</numerusform>
            <numerusform>%n en retard</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>confab::console::UsersPage</name>
    <message>
        <source>App</source>
        <translation>Application</translation>
    </message>
    <message>
        <source>The app id; the apps seen in the stats are listed</source>
        <translation>L’identifiant d’application ; les applications vues dans les statistiques sont listées</translation>
    </message>
    <message>
        <source>user id</source>
        <translation>identifiant d’utilisateur</translation>
    </message>
    <message>
        <source>User id</source>
        <translation>Identifiant d’utilisateur</translation>
    </message>
    <message>
        <source>&amp;Look up</source>
        <translation>&amp;Rechercher</translation>
    </message>
    <message>
        <source>Show the user&apos;s sessions on every node</source>
        <translation>Afficher les sessions de l’utilisateur sur tous les nœuds</translation>
    </message>
    <message>
        <source>Choose an app and a user.</source>
        <translation>Choisissez une application et un utilisateur.</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Sessions</translation>
    </message>
    <message>
        <source>Close code</source>
        <translation>Code de fermeture</translation>
    </message>
    <message>
        <source>4009 disconnected by an operator (may reconnect)</source>
        <translation>4009 déconnecté par un opérateur (peut se reconnecter)</translation>
    </message>
    <message>
        <source>4001 unauthorized (must sign in again)</source>
        <translation>4001 non autorisé (doit se reconnecter avec un jeton)</translation>
    </message>
    <message>
        <source>4003 forbidden (should not reconnect)</source>
        <translation>4003 interdit (ne doit pas se reconnecter)</translation>
    </message>
    <message>
        <source>disconnected by an operator</source>
        <translation>déconnecté par un opérateur</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motif</translation>
    </message>
    <message>
        <source>&amp;Disconnect…</source>
        <translation>&amp;Déconnecter…</translation>
    </message>
    <message>
        <source>Close every session of this user on every node</source>
        <translation>Fermer toutes les sessions de cet utilisateur sur tous les nœuds</translation>
    </message>
    <message>
        <source>App:</source>
        <translation>Application :</translation>
    </message>
    <message>
        <source>User:</source>
        <translation>Utilisateur :</translation>
    </message>
    <message>
        <source>Lookup failed: %1</source>
        <translation>Échec de la recherche : %1</translation>
    </message>
    <message numerus="yes">
        <source>%1 is online with %n session(s) on %2 since %3.</source>
        <translation>
            <numerusform>%1 est en ligne avec %n session sur %2 depuis %3.</numerusform>
            <numerusform>%1 est en ligne avec %n sessions sur %2 depuis %3.</numerusform>
        </translation>
    </message>
    <message>
        <source>unknown nodes</source>
        <translation>des nœuds inconnus</translation>
    </message>
    <message>
        <source>an unknown time</source>
        <translation>une heure inconnue</translation>
    </message>
    <message>
        <source>%1 is offline; last seen %2.</source>
        <translation>%1 est hors ligne ; vu pour la dernière fois le %2.</translation>
    </message>
    <message>
        <source>%1 is offline and was not seen in the last 30 days.</source>
        <translation>%1 est hors ligne et n’a pas été vu ces 30 derniers jours.</translation>
    </message>
    <message>
        <source>Disconnect user</source>
        <translation>Déconnecter l’utilisateur</translation>
    </message>
    <message numerus="yes">
        <source>Disconnect %1 of app %2 (%n session(s))?</source>
        <translation>
            <numerusform>Déconnecter %1 de l’application %2 (%n session) ?</numerusform>
            <numerusform>Déconnecter %1 de l’application %2 (%n sessions) ?</numerusform>
        </translation>
    </message>
    <message>
        <source>Every session of this user on every node is closed with code %1. The user can connect again unless their tokens are revoked.</source>
        <translation>Chaque session de cet utilisateur sur chaque nœud est fermée avec le code %1. L’utilisateur peut se reconnecter tant que ses jetons ne sont pas révoqués.</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>Déconnecter</translation>
    </message>
    <message numerus="yes">
        <source>Disconnected %1: %n session(s) closed.</source>
        <translation>
            <numerusform>%1 déconnecté : %n session fermée.</numerusform>
            <numerusform>%1 déconnecté : %n sessions fermées.</numerusform>
        </translation>
    </message>
    <message>
        <source>Disconnect failed: %1</source>
        <translation>Échec de la déconnexion : %1</translation>
    </message>
</context>
</TS>

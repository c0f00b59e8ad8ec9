#pragma once

#include <QString>

namespace confab::cli
{

// `confabd setup-local` (as root, after installing the package): makes one machine ready to
// run the service. It creates the PostgreSQL role and database on the local server (psql as
// the postgres user, peer authentication; PGHOST/PGPORT pick another local server), generates
// the database password and the admin token (OpenSSL), writes them into the config (mode 0640,
// owner root, group confab), and prints the admin token, the internal URL and a curl command
// that creates a demo app and key. Each step is skipped when already done, so a second run
// changes nothing and says so. Runs before any event loop exists: it waits on psql directly.
int setupLocal(const QString &configPath);

} // namespace confab::cli

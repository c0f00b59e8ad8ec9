#include "confab/logging.h"

#include <QList>
#include <QtGlobal>

#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcShared, "confab.shared", QtInfoMsg)

namespace confab {

namespace
{
// JOURNAL_STREAM is "device:inode" of the journal's stream; it is inherited, so it only counts
// when stderr is still that stream (sd_journal_stream_fd(3), "JOURNAL_STREAM").
bool stderrIsJournal()
{
    const QByteArray stream = qgetenv("JOURNAL_STREAM");
    struct stat st = {};
    if (stream.isEmpty() || ::fstat(STDERR_FILENO, &st) != 0)
        return false;
    const QList<QByteArray> parts = stream.split(':');
    return parts.size() == 2 && parts[0].toULongLong() == quint64(st.st_dev)
        && parts[1].toULongLong() == quint64(st.st_ino);
}
} // namespace

void installLogFormat()
{
    // Under systemd stderr goes to the journal, which stamps each line itself and reads a
    // leading <N> as the syslog priority (warnings show as warnings in journalctl -p).
    if (stderrIsJournal()) {
        qSetMessagePattern(QStringLiteral("%{if-debug}<7>%{endif}%{if-info}<6>%{endif}%{if-warning}"
                                          "<4>%{endif}%{if-critical}<2>%{endif}"
                                          "%{if-fatal}<0>%{endif}%{category}: %{message}"));
        return;
    }
    qSetMessagePattern(QStringLiteral(
        "%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-debug}D%{endif}%{if-info}I%{endif}%{if-warning}W%{endif}"
        "%{if-critical}C%{endif}%{if-fatal}F%{endif} %{category}: %{message}"));
}

} // namespace confab

#include "confab/logging.h"

#include <QtGlobal>

Q_LOGGING_CATEGORY(lcShared, "confab.shared", QtInfoMsg)

namespace confab {

void installLogFormat()
{
    qSetMessagePattern(QStringLiteral(
        "%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-debug}D%{endif}%{if-info}I%{endif}%{if-warning}W%{endif}"
        "%{if-critical}C%{endif}%{if-fatal}F%{endif} %{category}: %{message}"));
}

} // namespace confab

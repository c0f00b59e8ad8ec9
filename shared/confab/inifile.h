#pragma once

#include <QByteArray>
#include <QString>
#include <QStringView>

// Small helpers on the text of an INI file, for tools that read it line by line
// (`confabd check-config`) or edit it in place (`confabd setup-local`) without losing the
// operator's comments and order. Config::parse stays the one reader of values.
namespace confab::ini
{

// The line without its comment: ';' or '#' starts one at the line's start or after white
// space, so values such as URLs with '#' fragments survive (the rule Config::parse applies).
[[nodiscard]] QString stripComment(const QString &line);

// ini with `key = value` set in [section], everything else unchanged: every active `key =`
// line of the section is rewritten; without one, the first commented-out `;key =` line of the
// section is replaced; without that, the line goes right after the section's header; without
// the section, both are appended. Sections and keys compare case-insensitively.
[[nodiscard]] QByteArray setValue(
    const QByteArray &ini, const QString &section, const QString &key, const QString &value);

} // namespace confab::ini

#pragma once

namespace confab
{

// The release this binary was built from and its git commit (cmake/version.cmake): the same
// strings the .deb version, `confabd --version`, /healthz and the console's About box show.
[[nodiscard]] const char *version();
[[nodiscard]] const char *commit();

} // namespace confab

#pragma once

#include "segments/page.h"

namespace confab::messaging
{

// History pages are read by segments::HistoryStore; messaging code names them by this alias.
using Page = segments::Page;

} // namespace confab::messaging

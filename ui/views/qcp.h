#pragma once
// QCustomPlot's header uses Qt's lower-case keywords (signals, foreach), which this project
// turns off (QT_NO_KEYWORDS: LibTorch has a member named `slots`). Include QCustomPlot only
// through this header: it maps the keywords for the one include and removes them again.
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach

#pragma once
// Conversions between core's std::string (UTF-8) and Qt's QString, in one place so every
// widget converts the same way.
#include <QString>
#include <QStringList>
#include <iterator>
#include <string>
#include <vector>

#include "common/message_text.h"

namespace scns {

inline QString toQString(const std::string& s) { return QString::fromStdString(s); }
inline std::string toStdString(const QString& s) { return s.toStdString(); }

// Any range of std::string (vector, set, ...), in the range's order.
template <class Strings>
QStringList toQStringList(const Strings& strings)
{
    QStringList out;
    out.reserve(static_cast<qsizetype>(std::size(strings)));
    for (const std::string& s : strings)
        out << QString::fromStdString(s);
    return out;
}

std::vector<std::string> toStdStrings(const QStringList& l);

// "1 run", "3 runs": a count with its noun in the right number (core's counted()).
inline QString countText(qint64 n, const char* one, const char* many)
{
    return QString::fromStdString(counted(n, one, many));
}

}  // namespace scns

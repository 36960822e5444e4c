#pragma once
// Conversions between core's std::string (UTF-8) and Qt's QString, in one place so every
// widget converts the same way.
#include <QString>
#include <QStringList>
#include <string>
#include <vector>

namespace scns {

inline QString toQString(const std::string& s) { return QString::fromStdString(s); }
inline std::string toStdString(const QString& s) { return s.toStdString(); }

QStringList toQStringList(const std::vector<std::string>& v);
std::vector<std::string> toStdStrings(const QStringList& l);

}  // namespace scns

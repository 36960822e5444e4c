#pragma once
// GUI tests whose widgets remember things in QSettings keep them in the test's own folder, not
// in the settings of whoever runs the tests.
#include <QCoreApplication>
#include <QSettings>
#include <QString>

namespace scns::test {

inline void isolateSettings(const QString& folder, const QString& application)
{
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, folder);
    QCoreApplication::setOrganizationName(QStringLiteral("scns-test"));
    QCoreApplication::setApplicationName(application);
}

}  // namespace scns::test

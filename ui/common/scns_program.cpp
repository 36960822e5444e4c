#include "common/scns_program.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace scns {

QString scnsProgramPath()
{
    const QString env = qEnvironmentVariable("SCNS_CLI");
    if (!env.isEmpty())
        return env;
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString& candidate :
         {here.filePath(QStringLiteral("scns")), here.filePath(QStringLiteral("../scns/scns"))})
        if (QFileInfo(candidate).isExecutable())
            return QFileInfo(candidate).canonicalFilePath();
    return QStandardPaths::findExecutable(QStringLiteral("scns"));
}

}  // namespace scns

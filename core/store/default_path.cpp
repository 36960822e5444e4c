#include "store/default_path.h"

#include "common/errors.h"

#include <cstdlib>
#include <string>

#include <pwd.h>
#include <unistd.h>

namespace scns {

namespace {

std::string environment(const char* name)
{
    const char* value = std::getenv(name);
    return value ? value : "";
}

std::filesystem::path homeFolder()
{
    if (std::string home = environment("HOME"); !home.empty())
        return home;
    passwd entry{};  // not `struct passwd entry {}`: clang-format 14 and 19 disagree on its spacing
    struct passwd* result = nullptr;
    char buffer[4096];
    if (getpwuid_r(getuid(), &entry, buffer, sizeof buffer, &result) == 0 && result && result->pw_dir)
        return result->pw_dir;
    throw StoreError("cannot find a home folder for the run database (HOME is not set); set SCNS_DB");
}

}  // namespace

std::filesystem::path defaultDatabasePath()
{
    if (std::string db = environment("SCNS_DB"); !db.empty())
        return db;
    const std::filesystem::path relative = std::filesystem::path("scns-workbench") / "runs.sqlite";
    if (std::filesystem::path xdg = environment("XDG_DATA_HOME"); xdg.is_absolute())
        return xdg / relative;
    return homeFolder() / ".local" / "share" / relative;
}

}  // namespace scns

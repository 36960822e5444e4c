#pragma once
// Where the run database lives when the user names none.
#include <filesystem>

namespace scns {

// $SCNS_DB if set and not empty; else $XDG_DATA_HOME/scns-workbench/runs.sqlite when
// XDG_DATA_HOME is an absolute path (the XDG spec says to ignore relative ones); else
// ~/.local/share/scns-workbench/runs.sqlite, with ~ from $HOME or the password database.
// Throws StoreError when no home folder can be found. Creates nothing.
std::filesystem::path defaultDatabasePath();

}  // namespace scns

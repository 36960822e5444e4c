#pragma once
// RAII owner of one SQLite connection, opened with the settings every SCNS database uses.
//
// Threading contract: one connection per thread. A Database (and every Statement and
// Transaction made from it) must be used from the thread that uses it first; another thread
// opens its own Database on the same file. WAL mode and the busy timeout let such
// connections, in this process or in others, share the file safely.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

struct sqlite3;

namespace scns {

class Database {
public:
    Database() = default;
    // Same as open(path).
    explicit Database(const std::filesystem::path& path);
    ~Database();

    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Opens (creating the file and its parent folders if needed) and sets WAL journal mode,
    // busy_timeout=5000 ms, foreign_keys=ON and synchronous=NORMAL. Throws StoreError naming
    // the file when it cannot be created or is not an SQLite database; in that case nothing
    // is written to an existing file.
    void open(const std::filesystem::path& path);
    void close() noexcept;
    bool isOpen() const { return m_handle != nullptr; }

    // Runs a script of one or more statements that take no values (schema, BEGIN, PRAGMA).
    // Anything carrying a value goes through Statement and bind().
    void exec(std::string_view sql);

    // PRAGMA user_version: the schema version (see migrations.h).
    int userVersion();
    void setUserVersion(int version);

    std::int64_t lastInsertRowId() const;
    // Rows changed by the most recent INSERT, UPDATE or DELETE.
    int changes() const;

    sqlite3* handle() const { return m_handle; }
    const std::filesystem::path& path() const { return m_path; }

    // Throws StoreError "<file>: <context>: <SQLite's message for the last error>".
    [[noreturn]] void throwError(std::string_view context) const;

private:
    sqlite3* m_handle = nullptr;
    std::filesystem::path m_path;
};

}  // namespace scns

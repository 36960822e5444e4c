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

enum class OpenMode {
    ReadWrite,  // create if missing, WAL, migrations possible
    ReadOnly,   // SQLITE_OPEN_READONLY through a mode=ro URI: nothing is ever written
};

// What a failed SQLite call means, in words for users: "the disk is full", "the store is
// read-only", ... Never SQL text (SQLite's own texts for constraint failures quote the
// schema). code: an (extended) SQLite result code.
std::string describeSqliteError(int code, const char* sqliteMessage);

// Whether this process can write the store at `path`: the file (when it exists) and its
// folder (SQLite writes -wal and -shm files beside it) must both be writable. Uses access(),
// which also answers for root on read-only mounts and immutable files.
bool storeWritable(const std::filesystem::path& path);

class Database {
public:
    Database() = default;
    // Same as open(path, mode).
    explicit Database(const std::filesystem::path& path, OpenMode mode = OpenMode::ReadWrite);
    ~Database();

    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Opens (creating the file and its parent folders if needed) and sets WAL journal mode,
    // busy_timeout=5000 ms, foreign_keys=ON and synchronous=NORMAL. Throws StoreError naming
    // the file when it cannot be created or is not an SQLite database; in that case nothing
    // is written to an existing file.
    // ReadOnly: opens an existing file with mode=ro (or, in a folder where the WAL index file
    // cannot be created, immutable=1); creates nothing and sets no pragma that writes.
    void open(const std::filesystem::path& path, OpenMode mode = OpenMode::ReadWrite);
    void close() noexcept;
    bool isOpen() const { return m_handle != nullptr; }
    bool isReadOnly() const { return m_readOnly; }

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
    void openReadOnly();

    sqlite3* m_handle = nullptr;
    std::filesystem::path m_path;
    bool m_readOnly = false;
};

}  // namespace scns

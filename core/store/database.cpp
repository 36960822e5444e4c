#include "store/database.h"

#include <chrono>
#include <thread>

#include "common/errors.h"

#include <sqlite3.h>

#include <cctype>
#include <system_error>
#include <utility>

#include <unistd.h>

namespace scns {

namespace {

constexpr int kBusyTimeoutMs = 5000;

// An SQLite URI for a path: everything but unreserved characters and '/' percent-encoded,
// so '?', '#' and '%' in a file name stay part of the name.
std::string fileUri(const std::filesystem::path& path, std::string_view query)
{
    static const char* hex = "0123456789ABCDEF";
    std::string uri = "file:";
    for (unsigned char c : std::filesystem::absolute(path).string()) {
        if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
            uri += static_cast<char>(c);
        } else {
            uri += '%';
            uri += hex[c >> 4];
            uri += hex[c & 15];
        }
    }
    uri += '?';
    uri += query;
    return uri;
}

}  // namespace

std::string describeSqliteError(int code, const char* sqliteMessage)
{
    // SQLite's own texts for these quote parts of the schema ("CHECK constraint failed:
    // status IN (...)"); say what they mean instead.
    switch (code) {
    case SQLITE_CONSTRAINT_FOREIGNKEY: return "it refers to a run that does not exist";
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY: return "an entry with this key exists already";
    case SQLITE_CONSTRAINT_NOTNULL: return "a required value is missing";
    case SQLITE_CONSTRAINT_CHECK: return "a value is outside what the store allows";
    default: break;
    }
    switch (code & 0xff) {
    case SQLITE_CONSTRAINT: return "a rule of the store was broken";
    case SQLITE_FULL: return "the disk is full";
    case SQLITE_READONLY: return "the store is read-only";
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return "the store is locked by another process (waited 5 s)";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return "the file is damaged or not an SCNS run store";
    case SQLITE_IOERR: return std::string("input/output error (") + sqlite3_errstr(code) + ")";
    case SQLITE_CANTOPEN: return "the file cannot be opened";
    case SQLITE_PERM:
    case SQLITE_AUTH: return "permission denied";
    default: break;
    }
    return sqliteMessage ? sqliteMessage : sqlite3_errstr(code);
}

bool storeWritable(const std::filesystem::path& path)
{
    // access() rather than the permission bits: it also answers for root, for read-only
    // mounts (EROFS) and immutable files (chattr +i), where root cannot write either.
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(path, ec);
    const auto folder = (ec ? path : absolute).parent_path();
    if (std::filesystem::exists(path, ec))
        return ::access(path.c_str(), W_OK) == 0 && ::access(folder.empty() ? "." : folder.c_str(), W_OK) == 0;
    // A new store: its nearest existing folder must take the file.
    for (auto p = folder; !p.empty(); p = p.parent_path()) {
        if (std::filesystem::exists(p, ec))
            return ::access(p.c_str(), W_OK) == 0;
        if (p == p.parent_path())
            break;
    }
    return true;
}

Database::Database(const std::filesystem::path& path, OpenMode mode)
{
    open(path, mode);
}

Database::~Database()
{
    close();
}

Database::Database(Database&& other) noexcept
    : m_handle(std::exchange(other.m_handle, nullptr)), m_path(std::move(other.m_path)), m_readOnly(other.m_readOnly)
{
}

Database& Database::operator=(Database&& other) noexcept
{
    if (this != &other) {
        close();
        m_handle = std::exchange(other.m_handle, nullptr);
        m_path = std::move(other.m_path);
        m_readOnly = other.m_readOnly;
    }
    return *this;
}

void Database::open(const std::filesystem::path& path, OpenMode mode)
{
    close();
    m_path = path;
    m_readOnly = mode == OpenMode::ReadOnly;
    if (m_readOnly) {
        openReadOnly();
        return;
    }
    const std::string file = path.string();

    if (const auto parent = path.parent_path(); !parent.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(parent, ec);
        if (ec)
            throw StoreError(file + ": cannot create folder " + parent.string() + ": " + ec.message());
    }

    sqlite3* handle = nullptr;
    const int rc = sqlite3_open_v2(file.c_str(), &handle,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = describeSqliteError(rc, handle ? sqlite3_errmsg(handle) : nullptr);
        sqlite3_close_v2(handle);
        throw StoreError(file + ": cannot open the run store: " + message);
    }
    m_handle = handle;
    sqlite3_extended_result_codes(m_handle, 1);
    sqlite3_busy_timeout(m_handle, kBusyTimeoutMs);

    // Switching to WAL is the first statement that reads the file header, so a file that is
    // not a database fails here, before anything has been written to it.
    try {
        // Two connections opening a new store at once (the workbench's browser and an import,
        // two processes) both switch it to WAL; SQLite answers the second with SQLITE_BUSY
        // without calling the busy handler, so the wait is here.
        const auto start = std::chrono::steady_clock::now();
        for (;;) {
            const int pragma = sqlite3_exec(m_handle, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
            const int primary = pragma & 0xff;
            if (pragma == SQLITE_OK)
                break;
            if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED)
                || std::chrono::steady_clock::now() - start > std::chrono::milliseconds(kBusyTimeoutMs))
                exec("PRAGMA journal_mode=WAL");  // throws with SQLite's message
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        exec("PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL");
    } catch (const StoreError&) {
        std::string message = describeSqliteError(sqlite3_extended_errcode(m_handle), sqlite3_errmsg(m_handle));
        close();
        throw StoreError(file + ": cannot open as an SQLite database: " + message);
    }
}

void Database::openReadOnly()
{
    const std::string file = m_path.string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(m_path, ec))
        throw StoreError(file + ": no run store at this path (opened read-only, so none is created)");
    // mode=ro first: it sees the newest commits, also those still in a -wal file. In a folder
    // where SQLite cannot create the -shm file of a WAL database (a read-only mount), it
    // cannot open at all; then immutable=1 reads the main file as it stands.
    const std::string message = [&] {
        std::string last;
        for (const char* query : {"mode=ro", "mode=ro&immutable=1"}) {
            sqlite3* handle = nullptr;
            const std::string uri = fileUri(m_path, query);
            int rc = sqlite3_open_v2(uri.c_str(), &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
            if (rc == SQLITE_OK) {
                sqlite3_extended_result_codes(handle, 1);
                sqlite3_busy_timeout(handle, kBusyTimeoutMs);
                // Reading the schema is the first access to the file: a non-database, or a WAL
                // database whose -shm cannot be made, fails here.
                rc = sqlite3_exec(handle, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
                if (rc == SQLITE_OK) {
                    m_handle = handle;
                    return std::string();
                }
            }
            last = describeSqliteError(handle ? sqlite3_extended_errcode(handle) : rc,
                                       handle ? sqlite3_errmsg(handle) : nullptr);
            sqlite3_close_v2(handle);
            if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT)
                break;
        }
        return last;
    }();
    if (!m_handle)
        throw StoreError(file + ": cannot open the run store read-only: " + message);
}

void Database::close() noexcept
{
    if (m_handle) {
        // close_v2 defers the close if a Statement still lives; it is finalized later.
        sqlite3_close_v2(m_handle);
        m_handle = nullptr;
    }
}

void Database::exec(std::string_view sql)
{
    if (!m_handle)
        throw StoreError(m_path.string() + ": database is not open");
    const std::string script(sql);
    char* error = nullptr;
    const int rc = sqlite3_exec(m_handle, script.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        // The message says what failed, never the statement: users see these texts.
        std::string message = describeSqliteError(sqlite3_extended_errcode(m_handle), error);
        sqlite3_free(error);
        throw StoreError(m_path.string() + ": " + message);
    }
}

int Database::userVersion()
{
    if (!m_handle)
        throw StoreError(m_path.string() + ": database is not open");
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(m_handle, "PRAGMA user_version", -1, &stmt, nullptr) != SQLITE_OK)
        throwError("cannot read the schema version");
    const int rc = sqlite3_step(stmt);
    const int version = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW)
        throwError("cannot read the schema version");
    return version;
}

void Database::setUserVersion(int version)
{
    // PRAGMA takes no bound parameters; the value is an int formatted here, never text
    // from outside, so this is the one place a statement is assembled.
    exec("PRAGMA user_version = " + std::to_string(version));
}

std::int64_t Database::lastInsertRowId() const
{
    return m_handle ? sqlite3_last_insert_rowid(m_handle) : 0;
}

int Database::changes() const
{
    return m_handle ? sqlite3_changes(m_handle) : 0;
}

void Database::throwError(std::string_view context) const
{
    const std::string message = m_handle ? describeSqliteError(sqlite3_extended_errcode(m_handle), sqlite3_errmsg(m_handle))
                                         : std::string("database is not open");
    throw StoreError(m_path.string() + ": " + std::string(context) + ": " + message);
}

}  // namespace scns

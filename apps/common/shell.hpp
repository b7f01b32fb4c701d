// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// Running a peer program through the shell (the benchmarks' Python peers): finding it on
// PATH and quoting its arguments for /bin/sh.
#ifndef ASYNCJOBS_APPS_SHELL_HPP
#define ASYNCJOBS_APPS_SHELL_HPP

#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>

#include <unistd.h>

namespace asyncjobs_apps {

/// The path of an executable `exe` as /bin/sh would find it (a name with a slash as is).
inline std::optional<std::string> find_on_path(const std::string& exe)
{
    if (exe.find('/') != std::string::npos)
        return ::access(exe.c_str(), X_OK) == 0 ? std::optional<std::string>(exe) : std::nullopt;
    const char* path = std::getenv("PATH");
    if (!path)
        return std::nullopt;
    std::stringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');) {
        std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + exe;
        if (::access(candidate.c_str(), X_OK) == 0)
            return candidate;
    }
    return std::nullopt;
}

/// `s` as one word for /bin/sh, whatever it holds.
inline std::string shell_quote(const std::string& s)
{
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

} // namespace asyncjobs_apps

#endif

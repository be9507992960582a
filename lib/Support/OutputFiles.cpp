//===- OutputFiles.cpp - Outputs written whole or not at all --------------===//

#include "cim/Support/OutputFiles.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir::cim;

/// Writes `bytes` to a new temporary file beside `path`; returns its name,
/// or an empty string with `error` set. The temporary is removed if the
/// process is killed by a signal before it is renamed.
static std::string writeTemporary(llvm::StringRef path, llvm::StringRef bytes,
                                  std::string &error) {
  llvm::SmallString<256> temp;
  int fd = -1;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueFile(path + ".tmp-%%%%%%", fd, temp)) {
    error = "cannot write: " + ec.message();
    return "";
  }
  llvm::sys::RemoveFileOnSignal(temp);
  llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
  os << bytes;
  os.close();
  if (os.has_error()) {
    error = "cannot write: " + os.error().message();
    os.clear_error();
    llvm::sys::fs::remove(temp);
    llvm::sys::DontRemoveFileOnSignal(temp);
    return "";
  }
  return std::string(temp);
}

/// True when `path` names something other than a regular file that
/// exists (/dev/null, /dev/stdout, a FIFO): written in place, since renaming
/// over it would replace the device, and never removed.
static bool isSpecialFile(llvm::StringRef path) {
  llvm::sys::fs::file_status status;
  return !llvm::sys::fs::status(path, status) &&
         llvm::sys::fs::exists(status) &&
         status.type() != llvm::sys::fs::file_type::regular_file &&
         status.type() != llvm::sys::fs::file_type::directory_file;
}

/// Writes `bytes` into the existing special file `path`.
static bool writeInPlace(llvm::StringRef path, llvm::StringRef bytes,
                         std::string &error) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (!ec) {
    os << bytes;
    os.close();
    ec = os.error();
    os.clear_error();
  }
  if (ec)
    error = "cannot write: " + ec.message();
  return !ec;
}

bool mlir::cim::writeFileAtomically(llvm::StringRef path, llvm::StringRef bytes,
                                    std::string &error) {
  OutputFiles outputs;
  outputs.add(path, bytes.str());
  std::string failedPath;
  return outputs.commit(failedPath, error);
}

/// The temporary output of a DriverFiles, removed at exit unless renamed.
static std::string driverTemporary;
static void removeDriverTemporary() {
  if (!driverTemporary.empty())
    llvm::sys::fs::remove(driverTemporary);
}

bool DriverFiles::prepare(std::vector<std::string> &args,
                          std::string &failedPath, std::string &error,
                          llvm::ArrayRef<llvm::StringRef> flags) {
  // The output file (-o F, -o=F, --o F, --o=F) and a missing input file,
  // named by the first argument that is neither an option nor its value.
  auto takesValue = [&](llvm::StringRef option) {
    return option.startswith("-") && !llvm::is_contained(flags, option);
  };
  size_t outputIndex = 0;
  for (size_t i = 1; i < args.size(); ++i) {
    llvm::StringRef arg = args[i];
    if (arg == "--")
      break;
    if ((arg == "-o" || arg == "--o") && i + 1 < args.size()) {
      outputIndex = ++i;
    } else if (arg.startswith("-o=") || arg.startswith("--o=")) {
      outputIndex = i;
    } else if (!arg.startswith("-") && arg != "" &&
               (i == 1 || !takesValue(args[i - 1]))) {
      if (!llvm::sys::fs::exists(arg)) {
        failedPath = arg.str();
        error = "cannot read: No such file or directory";
        return false;
      }
      if (llvm::sys::fs::is_directory(arg)) {
        failedPath = arg.str();
        error = "cannot read: Is a directory";
        return false;
      }
    }
  }
  if (!outputIndex)
    return true;
  llvm::StringRef arg = args[outputIndex];
  output = (arg.startswith("-") ? arg.split('=').second : arg).str();
  // Special files (/dev/null, a FIFO) are written in place: renaming over
  // one would replace it.
  if (output == "-" || isSpecialFile(output)) {
    output.clear();
    return true;
  }
  llvm::SmallString<256> path;
  int fd = -1;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueFile(output + ".tmp-%%%%%%", fd, path)) {
    failedPath = output;
    error = "cannot write: " + ec.message();
    return false;
  }
  llvm::sys::fs::closeFile(fd);
  // Removed on a signal, and on exit() from the option parser (a bad
  // option, --help) before the driver returns.
  llvm::sys::RemoveFileOnSignal(path);
  driverTemporary = std::string(path);
  std::atexit(removeDriverTemporary);
  args[outputIndex] = arg.startswith("-")
                          ? arg.split('=').first.str() + "=" + driverTemporary
                          : driverTemporary;
  return true;
}

bool DriverFiles::finish(bool succeeded, std::string &failedPath,
                         std::string &error) {
  if (output.empty() || !succeeded)
    return true;
  if (std::error_code ec = llvm::sys::fs::rename(driverTemporary, output)) {
    failedPath = output;
    error = "cannot write: " + ec.message();
    return false;
  }
  driverTemporary.clear();
  return true;
}

int mlir::cim::runDriver(int argc, char **argv,
                         llvm::function_ref<bool(int, char **)> driver,
                         llvm::ArrayRef<llvm::StringRef> flags) {
  std::vector<std::string> args(argv, argv + argc);
  DriverFiles files;
  std::string path, error;
  if (!files.prepare(args, path, error, flags)) {
    llvm::errs() << path << ": error: " << error << "\n";
    return 1;
  }
  std::vector<char *> cargs;
  for (std::string &arg : args)
    cargs.push_back(arg.data());
  cargs.push_back(nullptr);
  bool ok = driver(int(args.size()), cargs.data());
  if (!files.finish(ok, path, error)) {
    llvm::errs() << path << ": error: " << error << "\n";
    return 1;
  }
  return ok ? 0 : 1;
}

void OutputFiles::add(llvm::StringRef path, std::string bytes) {
  files.push_back({path.str(), std::move(bytes)});
}

void OutputFiles::addDirectory(llvm::StringRef path) {
  directories.push_back(path.str());
}

bool OutputFiles::commit(std::string &failedPath, std::string &error) {
  std::vector<std::string> created, temps, renamed;
  auto rollBack = [&](llvm::StringRef path) {
    for (const std::string &temp : temps) {
      llvm::sys::fs::remove(temp);
      llvm::sys::DontRemoveFileOnSignal(temp);
    }
    for (const std::string &file : renamed)
      llvm::sys::fs::remove(file);
    for (auto it = created.rbegin(); it != created.rend(); ++it)
      llvm::sys::fs::remove(*it);
    failedPath = path.str();
    return false;
  };

  for (const std::string &dir : directories) {
    // Remember every level made, to remove them again on failure.
    llvm::SmallVector<std::string> missing;
    for (llvm::StringRef p = dir; !p.empty() && !llvm::sys::fs::exists(p);
         p = llvm::sys::path::parent_path(p))
      missing.push_back(p.str());
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
      if (std::error_code ec = llvm::sys::fs::create_directory(*it)) {
        error = "cannot create directory: " + ec.message();
        return rollBack(dir);
      }
      created.push_back(*it);
    }
    if (!llvm::sys::fs::is_directory(dir)) {
      error = "cannot create directory: not a directory";
      return rollBack(dir);
    }
  }
  // Standard output and special files are written last, in place.
  std::vector<const std::pair<std::string, std::string> *> inPlace;
  std::vector<const std::string *> destinations;
  for (const auto &file : files) {
    const auto &[path, bytes] = file;
    if (path == "-" || isSpecialFile(path)) {
      inPlace.push_back(&file);
      continue;
    }
    std::string temp = writeTemporary(path, bytes, error);
    if (temp.empty())
      return rollBack(path);
    temps.push_back(temp);
    destinations.push_back(&path);
  }
  // Renamed in order; on a failure the rest stay temporaries to remove.
  while (!temps.empty()) {
    const std::string &path = *destinations[renamed.size()];
    if (std::error_code ec = llvm::sys::fs::rename(temps.front(), path)) {
      error = "cannot write: " + ec.message();
      return rollBack(path);
    }
    llvm::sys::DontRemoveFileOnSignal(temps.front());
    temps.erase(temps.begin());
    renamed.push_back(path);
  }
  for (const auto *file : inPlace) {
    if (file->first == "-") {
      llvm::outs() << file->second;
      llvm::outs().flush();
    } else if (!writeInPlace(file->first, file->second, error)) {
      failedPath = file->first;
      return false;
    }
  }
  return true;
}

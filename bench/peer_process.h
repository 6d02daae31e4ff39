// The peer of a benchmark: a script run as a child process that speaks a line protocol on its
// stdin/stdout, so that C++ and peer runs can alternate inside one bench run (a burst of load
// from other processes on a shared machine then hits both sides alike instead of whichever ran
// during it). Header-only so that gpu-*.sh's direct g++ build needs no extra source file.
//
//   peer -> "PEER_READY {json}"  once loaded (or one "PEER_UNAVAILABLE: why" line)
//   bench -> one request line; peer -> "<TAG> {json}" (each bench defines its requests and tags)
//   bench closes the peer's stdin; the peer exits.
// Other lines of the peer are echoed with a "  peer| " prefix.
//
// Not thread-safe; one request at a time.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace augsweep {

// `s` in single quotes for /bin/sh.
inline std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class PeerProcess {
 public:
  ~PeerProcess() { Close(); }
  PeerProcess(const PeerProcess&) = delete;
  PeerProcess& operator=(const PeerProcess&) = delete;

  // Runs `command` with /bin/sh and waits for its PEER_READY line, whose JSON goes to *ready.
  // nullptr with the reason in *why when the peer cannot start or says it is unavailable.
  static std::unique_ptr<PeerProcess> Start(const std::string& command, std::string* why,
                                            nlohmann::json* ready) {
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0) {
      *why = "pipe() failed";
      return nullptr;
    }
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid < 0) {
      *why = "fork() failed";
      return nullptr;
    }
    if (pid == 0) {
      dup2(to_child[0], 0);
      dup2(from_child[1], 1);
      close(to_child[0]), close(to_child[1]), close(from_child[0]), close(from_child[1]);
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    auto peer = std::unique_ptr<PeerProcess>(new PeerProcess());
    peer->pid_ = pid;
    peer->in_ = fdopen(to_child[1], "w");
    peer->out_ = fdopen(from_child[0], "r");
    StatusOr<nlohmann::json> msg = peer->ReadMessage("PEER_READY");
    if (!msg.ok()) {
      *why = msg.status().message();
      return nullptr;
    }
    *ready = *msg;
    return peer;
  }

  // Sends `line` (without its newline) and returns the JSON object of the first line the peer
  // tags with `tag` after it.
  StatusOr<nlohmann::json> Request(const std::string& line, const std::string& tag) {
    const std::string text = line + "\n";
    if (in_ == nullptr || std::fputs(text.c_str(), in_) < 0 || std::fflush(in_) != 0) {
      return UnavailableError("the peer is gone (writing to its stdin failed)");
    }
    return ReadMessage(tag);
  }

  // Closes the peer's stdin, echoes what it still prints and waits for it to exit.
  void Close() {
    if (in_) std::fclose(in_), in_ = nullptr;
    if (out_) {
      std::string rest;
      while (ReadLine(&rest)) std::printf("  peer| %s\n", rest.c_str());
      std::fclose(out_), out_ = nullptr;
    }
    if (pid_ > 0) waitpid(pid_, nullptr, 0), pid_ = -1;
  }

 private:
  PeerProcess() = default;

  bool ReadLine(std::string* line) {
    line->clear();
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, out_)) {
      *line += buffer;
      if (line->back() == '\n') {
        line->pop_back();
        return true;
      }
    }
    return !line->empty();
  }

  // Reads lines until one starting with `tag`; returns the JSON after it.
  StatusOr<nlohmann::json> ReadMessage(const std::string& tag) {
    std::string line;
    while (out_ && ReadLine(&line)) {
      if (line.rfind(tag + " ", 0) == 0) {
        nlohmann::json doc = nlohmann::json::parse(line.substr(tag.size() + 1), nullptr,
                                                   /*allow_exceptions=*/false);
        if (doc.is_discarded() || !doc.is_object()) {
          return InvalidArgumentError("the peer's " + tag + " line is not a JSON object");
        }
        return doc;
      }
      std::printf("  peer| %s\n", line.c_str());
      std::fflush(stdout);
      if (line.rfind("PEER_UNAVAILABLE", 0) == 0) return UnavailableError(line);
    }
    int status = 0;
    if (pid_ > 0) waitpid(pid_, &status, 0), pid_ = -1;
    return UnavailableError("the peer ended without a " + tag + " line (exit status " +
                            std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  }

  pid_t pid_ = -1;
  FILE* in_ = nullptr;
  FILE* out_ = nullptr;
};

}  // namespace augsweep

#include "common/safetensors/checkpoint.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

#include "common/read_file.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// Index entries are file names relative to the folder; refusing absolute paths and ".." keeps a
// hostile index from making us map arbitrary files.
bool IsSafeRelativePath(const std::string& name) {
  if (name.empty()) return false;
  fs::path p(name);
  if (p.is_absolute() || p.has_root_name()) return false;
  for (const fs::path& part : p) {
    if (part == "..") return false;
  }
  return true;
}

StatusOr<Json> ReadJsonFile(const std::string& path) {
  AUGSWEEP_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    return InvalidArgumentError(path + ": not valid JSON: " + e.what());
  }
}

}  // namespace

StatusOr<std::unique_ptr<Checkpoint>> Checkpoint::Open(const std::string& folder) {
  std::unique_ptr<Checkpoint> ckpt(new Checkpoint());
  ckpt->folder_ = folder;
  const fs::path dir(folder);
  const std::string index_path = (dir / kSafetensorsIndexName).string();
  const std::string single_path = (dir / kSafetensorsSingleName).string();

  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return NotFoundError(folder + ": not a directory (expected a Hugging Face model folder)");
  }

  if (!fs::exists(index_path, ec)) {
    if (!fs::exists(single_path, ec)) {
      return NotFoundError(folder + ": no model weights: expected \"" +
                           std::string(kSafetensorsSingleName) + "\" or \"" +
                           std::string(kSafetensorsIndexName) + "\"");
    }
    AUGSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<SafetensorsFile> file,
                              SafetensorsFile::Open(single_path));
    for (const TensorInfo& info : file->tensors()) {
      ckpt->tensors_.emplace(info.name, CheckpointTensor{file.get(), &info});
    }
    ckpt->files_.push_back(std::move(file));
  } else {
    AUGSWEEP_ASSIGN_OR_RETURN(Json index, ReadJsonFile(index_path));
    if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object()) {
      return InvalidArgumentError(index_path +
                                  ": expected a JSON object with a \"weight_map\" object "
                                  "(tensor name -> shard file)");
    }
    // shard file -> the tensors the index places in it
    std::map<std::string, std::vector<std::string>> shards;
    for (const auto& [name, shard] : index["weight_map"].items()) {
      if (!shard.is_string() || !IsSafeRelativePath(shard.get<std::string>())) {
        return InvalidArgumentError(index_path + ": weight_map[\"" + name +
                                    "\"] must be a shard file name relative to the folder, got " +
                                    (shard.is_string()
                                         ? "\"" + shard.get<std::string>() + "\""
                                         : std::string("a JSON ") + shard.type_name()));
      }
      shards[shard.get<std::string>()].push_back(name);
    }
    if (shards.empty()) return InvalidArgumentError(index_path + ": weight_map is empty");

    for (const auto& [shard, names] : shards) {
      const std::string shard_path = (dir / shard).string();
      if (!fs::exists(shard_path, ec)) {
        const std::string others =
            names.size() > 1 ? " and " + std::to_string(names.size() - 1) + " more" : "";
        return DataLossError(index_path + ": shard \"" + shard + "\" (holding tensor \"" +
                             names.front() + "\"" + others + ") does not exist in " + folder);
      }
      AUGSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<SafetensorsFile> file,
                                SafetensorsFile::Open(shard_path));
      for (const std::string& name : names) {
        const TensorInfo* info = file->Find(name);
        if (info == nullptr) {
          return InvalidArgumentError(index_path + ": weight_map places tensor \"" + name +
                                      "\" in \"" + shard + "\", but that shard has no such tensor");
        }
        ckpt->tensors_.emplace(name, CheckpointTensor{file.get(), info});
      }
      ckpt->files_.push_back(std::move(file));
    }
  }

  ckpt->names_.reserve(ckpt->tensors_.size());
  for (const auto& [name, unused] : ckpt->tensors_) ckpt->names_.push_back(name);
  return ckpt;
}

const CheckpointTensor* Checkpoint::Find(std::string_view name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

}  // namespace augsweep

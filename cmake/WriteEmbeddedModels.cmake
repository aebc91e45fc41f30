# Script mode: writes OUTPUT, a C++ file defining stedi::EmbeddedModelFiles()
# with the name and text of every .sql file in MODELS_DIR.
file(GLOB model_files ${MODELS_DIR}/*.sql)
list(SORT model_files)
set(body "")
foreach(path ${model_files})
  get_filename_component(name ${path} NAME)
  file(READ ${path} text)
  string(FIND "${text}" ")stedi_sql\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${path} contains the raw-string delimiter )stedi_sql\"")
  endif()
  string(APPEND body "      {\"${name}\", R\"stedi_sql(${text})stedi_sql\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp
"// Generated from the .sql files of src/pipeline/models; do not edit.
#include \"pipeline/embedded_models.h\"

namespace stedi {

const std::vector<EmbeddedFile>& EmbeddedModelFiles() {
  static const std::vector<EmbeddedFile> kFiles = {
${body}  };
  return kFiles;
}

}  // namespace stedi
")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)

# Compiles the SQL models under a folder into the library, so that the
# installed binary needs no files besides itself.
function(stedi_embed_models out_var models_dir)
  file(GLOB model_files CONFIGURE_DEPENDS ${models_dir}/*.sql)
  set(output ${CMAKE_CURRENT_BINARY_DIR}/generated/embedded_models.cc)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DMODELS_DIR=${models_dir} -DOUTPUT=${output}
            -P ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/WriteEmbeddedModels.cmake
    DEPENDS ${model_files} ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/WriteEmbeddedModels.cmake
    COMMENT "Embedding SQL models")
  set(${out_var} ${output} PARENT_SCOPE)
endfunction()

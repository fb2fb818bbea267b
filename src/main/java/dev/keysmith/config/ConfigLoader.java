package dev.keysmith.config;

import static dev.keysmith.config.ConfigFile.quote;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.keysmith.config.ConfigFile.FromText;
import dev.keysmith.config.ConfigFile.Invalid;
import dev.keysmith.config.ConfigFile.WrittenDuration;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads {@code keysmith.yml} into a {@link KeysmithConfig}, failing fast with a {@link
 * ConfigException} that names the bad key.
 */
public final class ConfigLoader {
  // YAML 1.1 reads yes, no, on and off as booleans; Keysmith takes only true and false.
  private static final ObjectMapper YAML =
      YAMLMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
          .addModule(
              new SimpleModule()
                  .addDeserializer(
                      Boolean.class, new FromText<>(Boolean.class, ConfigFile::trueOrFalse))
                  .addDeserializer(
                      Integer.class, new FromText<>(Integer.class, ConfigFile::wholeNumber))
                  .addDeserializer(
                      WrittenDuration.class,
                      new FromText<>(WrittenDuration.class, WrittenDuration::of)))
          // A list item left empty is refused, not read as null.
          .defaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL))
          .build();

  private ConfigLoader() {}

  /** Reads and validates the config file at {@code yamlFile}. */
  public static KeysmithConfig load(Path yamlFile) {
    if (!Files.exists(yamlFile)) {
      throw new ConfigException(
          "config file "
              + yamlFile
              + " not found: copy keysmith.example.yml to "
              + yamlFile
              + " and edit it (or set KEYSMITH_CONFIG to where it is)");
    }
    String yaml;
    try {
      yaml = Files.readString(yamlFile);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + yamlFile + ": " + e, e);
    }
    Path absolute = yamlFile.toAbsolutePath();
    Path baseDir = absolute.getParent() == null ? absolute : absolute.getParent();
    return read(String.valueOf(yamlFile.getFileName()), yaml, baseDir);
  }

  /** Validates {@code yaml}; a relative {@code dataDir} is resolved against {@code baseDir}. */
  public static KeysmithConfig parse(String yaml, Path baseDir) {
    return read("keysmith.yml", yaml, baseDir);
  }

  private static KeysmithConfig read(String source, String yaml, Path baseDir) {
    try {
      try (JsonParser p = YAML.createParser(yaml)) {
        JsonToken first = p.nextToken();
        if (first == null || first == JsonToken.VALUE_NULL) {
          throw new ConfigException(source + ": is empty: copy keysmith.example.yml and edit it");
        }
        if (first != JsonToken.START_OBJECT) {
          throw new ConfigException(
              source
                  + ": must be a mapping of settings (approvers:, approvalsChannel:, groups:, ...)");
        }
        requireKnownKeys(source, p, ConfigFile.class, "");
      }
      try (JsonParser p = YAML.createParser(yaml)) {
        try {
          return YAML.readValue(p, ConfigFile.class).toConfig(baseDir);
        } catch (JsonMappingException e) {
          throw new ConfigException(source + ": " + problem(e, p), e);
        }
      }
    } catch (StreamReadException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new ConfigException(
          source + ": is not valid YAML" + where + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ConfigException(source + ": cannot be read: " + e, e);
    }
  }

  /**
   * Refuses a key no record has, at its line. Jackson notices one only once the record around it is
   * built, and a record that misses the key a typo was meant to be refuses first.
   */
  private static void requireKnownKeys(String source, JsonParser p, Class<?> mapping, String prefix)
      throws IOException {
    List<RecordComponent> known = List.of(mapping.getRecordComponents());
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      RecordComponent component =
          known.stream().filter(c -> c.getName().equals(name)).findFirst().orElse(null);
      if (component == null) {
        throw new ConfigException(
            source
                + ": unknown key "
                + prefix
                + name
                + " (expected one of "
                + known.stream().map(c -> prefix + c.getName()).collect(Collectors.joining(", "))
                + ")"
                + line(p.currentTokenLocation()));
      }
      if (p.nextToken() == JsonToken.START_OBJECT
          && ConfigFile.MAPPINGS.contains(component.getType())) {
        requireKnownKeys(source, p, component.getType(), prefix + name + ".");
      } else if (p.currentToken() == JsonToken.START_OBJECT
          && component.getType() == Map.class
          && component.getGenericType() instanceof ParameterizedType map
          && map.getActualTypeArguments()[1] instanceof Class<?> entry
          && ConfigFile.MAPPINGS.contains(entry)) {
        // A mapping of names to records, like policies.<group>: each entry is checked the same.
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String entryName = p.currentName();
          if (p.nextToken() == JsonToken.START_OBJECT) {
            requireKnownKeys(source, p, entry, prefix + name + "." + entryName + ".");
          } else {
            p.skipChildren();
          }
        }
      } else {
        p.skipChildren();
      }
    }
  }

  /** What is wrong, from Jackson's complaint while {@code p} is still on the offending value. */
  private static String problem(JsonMappingException e, JsonParser p) throws IOException {
    String key = keyPath(e.getPath());
    String line = line(p.currentTokenLocation());
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Invalid invalid) {
        // A record is built once its whole mapping is read, so p is past the value by then.
        String where = e instanceof ValueInstantiationException ? "" : line;
        return join(key, invalid.key) + " " + invalid.getMessage() + where;
      }
    }
    if (e instanceof MismatchedInputException mismatch) {
      return key + " " + expected(mismatch.getTargetType()) + ", not " + found(p) + line;
    }
    return key + " " + e.getOriginalMessage() + line;
  }

  private static String expected(Class<?> type) {
    if (type != null && Collection.class.isAssignableFrom(type)) {
      return "must be a list, like [a, b]";
    }
    if (type == Boolean.class) {
      return "must be true or false";
    }
    return ConfigFile.MAPPINGS.contains(type)
        ? "must be a mapping of keys"
        : "must be a single value";
  }

  private static String found(JsonParser p) throws IOException {
    JsonToken token = p.currentToken();
    if (token == JsonToken.START_ARRAY) {
      return "a list";
    }
    if (token == JsonToken.START_OBJECT) {
      return "a mapping";
    }
    return token == null || token == JsonToken.VALUE_NULL ? "empty" : quote(p.getText());
  }

  private static String line(JsonLocation at) {
    return at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ")";
  }

  /** Jackson's reference chain as a key path, like {@code approvers.users[1]}. */
  private static String keyPath(List<JsonMappingException.Reference> path) {
    StringBuilder key = new StringBuilder();
    for (JsonMappingException.Reference ref : path) {
      if (ref.getFieldName() != null) {
        key.append(key.isEmpty() ? "" : ".").append(ref.getFieldName());
      } else {
        key.append('[').append(ref.getIndex()).append(']');
      }
    }
    return key.toString();
  }

  private static String join(String parent, String key) {
    return parent.isEmpty() || key.isEmpty() ? parent + key : parent + "." + key;
  }
}

package io.tapflow.collector.config;

/** A configuration problem, said in one line that names the option and what is wrong with its value. */
public class ConfigException extends Exception {

    public ConfigException(String message) {
        super(message);
    }
}

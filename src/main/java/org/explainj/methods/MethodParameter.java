package org.explainj.methods;

/** One option of a method: its name (CLI --name, macro key), default value and a line of help. */
public record MethodParameter(String name, String defaultValue, String description) {}

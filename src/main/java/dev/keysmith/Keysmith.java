package dev.keysmith;

/** Keysmith's composition root. */
public final class Keysmith {
  private Keysmith() {}

  public static void main(String[] args) {}
}

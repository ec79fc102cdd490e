package dev.tally.spec.jdbc;

/** {@link NativeLibraryChild}'s child for {@link SqliteNativeLibrary#useSharedCopy()} alone. */
public final class SharedCopyChildMain {

    private SharedCopyChildMain() {
    }

    public static void main(String[] args) {
        if (args.length > 1 && "plain".equals(args[1])) {
            NativeLibraryChild.openAndHalt(args[0]);
        }
        SqliteNativeLibrary.useSharedCopy();
        NativeLibraryChild.openAndHalt(args[0]);
    }
}

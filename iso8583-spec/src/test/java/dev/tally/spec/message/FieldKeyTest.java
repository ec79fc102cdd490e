package dev.tally.spec.message;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FieldKeyTest {

    @ParameterizedTest
    @CsvSource({"STAN,11", "PAN,2", "MAC,64", "F47,47", "F0,0", "F128,128", "F1,1",
            "F1000,-1", "F,-1", "F4x,-1", "f47,-1", "stan,-1", "NOT_A_FIELD,-1", "'',-1", "47,-1"})
    void aMessageLogKeyNamesItsFieldByTallyNameOrFNumber(String key, int number) {
        assertEquals(number, Field.numberOfKey(key));
    }
}

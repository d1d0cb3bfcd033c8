import { GraphQLError } from "graphql";
import { CombinedError } from "urql";
import { describe, expect, it } from "vitest";
import { errorDetails, labelOf } from "./ui";

describe("labelOf", () => {
  it("turns enum values into labels", () => {
    expect(labelOf("ON_HOLD")).toBe("On hold");
    expect(labelOf("CREATED")).toBe("Created");
  });
});

describe("errorDetails", () => {
  it("reads the field and code of a GraphQL error", () => {
    const graphQLError = new GraphQLError("title must be at most 120 characters; got 130", {
      extensions: { code: "VALIDATION_FAILED", field: "title" },
    });
    const details = errorDetails(new CombinedError({ graphQLErrors: [graphQLError] }));
    expect(details).toEqual({
      message: "title must be at most 120 characters; got 130",
      field: "title",
      code: "VALIDATION_FAILED",
    });
  });

  it("describes a network error", () => {
    const details = errorDetails(new CombinedError({ networkError: new Error("Failed to fetch") }));
    expect(details.message).toBe("The server could not be reached: Failed to fetch");
    expect(details.field).toBeNull();
  });
});
